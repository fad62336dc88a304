# Thin helpers so that every folder declares its target the same way.

set(FRESHET_WARNINGS -Wall -Wextra -Werror -Wno-deprecated-declarations)

# freshet_library(<name> SOURCES ... [DEPS ...])  ->  target freshet_<name>, alias freshet::<name>
function(freshet_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(freshet_${name} STATIC ${ARG_SOURCES})
  add_library(freshet::${name} ALIAS freshet_${name})
  target_include_directories(freshet_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(freshet_${name} PRIVATE ${FRESHET_WARNINGS})
  target_link_libraries(freshet_${name} PUBLIC ${ARG_DEPS})
endfunction()

# freshet_executable(<name> SOURCES ... [DEPS ...])  ->  executable <name> in build/bin
function(freshet_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${FRESHET_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
endfunction()

# freshet_test(<name> LABEL unit|integration SOURCES ... [DEPS ...] [TIMEOUT s])
function(freshet_test name)
  cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SOURCES;DEPS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${FRESHET_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock)
  target_compile_definitions(${name} PRIVATE
    FRESHET_SOURCE_DIR="${PROJECT_SOURCE_DIR}" FRESHET_BIN_DIR="${PROJECT_BINARY_DIR}/bin")
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS ${ARG_LABEL} TIMEOUT ${ARG_TIMEOUT})
  if(ARG_LABEL STREQUAL "integration")
    # Integration binaries each start a broker: run them one at a time on small machines.
    set_tests_properties(${name} PROPERTIES RESOURCE_LOCK kafka_broker)
  endif()
endfunction()

# freshet_use_jemalloc(<target>): links jemalloc into an executable when it was found and no
# sanitizer (which brings its own allocator) is on. For the services and the benches that host
# their code: they allocate and free many medium-sized strings (records, encoded window state,
# protobufs), often on one thread and freed on another (librdkafka's), which glibc malloc serves
# slowly — a third of the aggregate stage's CPU (bench/aggregate/README.md, bench/ingest/README.md).
function(freshet_use_jemalloc target)
  if(JEMALLOC_LIBRARY AND NOT FRESHET_SANITIZE)
    target_link_libraries(${target} PRIVATE ${JEMALLOC_LIBRARY})
  endif()
endfunction()
