#pragma once

// Schemas the Avro fuzz targets drive: the clickstream examples plus shapes that stress the
// decoder (recursion, containers of zero-size items, unions, every primitive, evolution pairs).

#include <string>
#include <vector>

namespace freshet::avro::fuzz {

inline const std::vector<std::string>& schemas() {
  static const std::vector<std::string> all = {
      R"({"type":"record","name":"PageView","namespace":"freshet.examples.clickstream","fields":[
        {"name":"user_id","type":"string"},{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
        {"name":"url","type":"string"},{"name":"referrer","type":["null","string"],"default":null},
        {"name":"user_agent","type":["null","string"],"default":null},{"name":"ip","type":["null","string"],"default":null}]})",
      R"({"type":"record","name":"Purchase","namespace":"freshet.examples.clickstream","fields":[
        {"name":"user_id","type":"string"},{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
        {"name":"order_id","type":"string"},{"name":"amount","type":"double"},
        {"name":"currency","type":{"type":"enum","name":"Currency","symbols":["USD","EUR","GBP","JPY"]}},
        {"name":"items","type":"int"}]})",
      R"({"type":"record","name":"T","fields":[{"name":"v","type":"int"},{"name":"kids","type":{"type":"array","items":"T"}},
        {"name":"next","type":["null","T"],"default":null}]})",
      R"({"type":"record","name":"All","fields":[
        {"name":"b","type":"boolean"},{"name":"i","type":"int"},{"name":"l","type":"long"},{"name":"f","type":"float"},
        {"name":"d","type":"double"},{"name":"y","type":"bytes"},{"name":"s","type":"string"},
        {"name":"fx","type":{"type":"fixed","name":"F","size":3}},{"name":"z","type":{"type":"fixed","name":"Z","size":0}},
        {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"],"default":"A"}},
        {"name":"n","type":{"type":"array","items":"null"}},{"name":"m","type":{"type":"map","values":["null","long","string"]}},
        {"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":20,"scale":4}},
        {"name":"u","type":["null","boolean","int","double","E",{"type":"array","items":"int"},{"type":"map","values":"int"},
          {"type":"record","name":"Sub","fields":[{"name":"x","type":"int","default":1}]}]}]})",
      R"({"type":"array","items":{"type":"map","values":{"type":"array","items":["null","string"]}}})",
  };
  return all;
}

/// Reader schemas for writer schema i (resolution paths), same index as `schemas()`.
inline const std::vector<std::string>& readers() {
  static const std::vector<std::string> all = {
      R"({"type":"record","name":"PageView","namespace":"freshet.examples.clickstream","fields":[
        {"name":"url","type":"bytes"},{"name":"ts","type":["null","double"]},
        {"name":"session","type":["null","string"],"default":null},{"name":"referrer","type":["null","string"],"default":null}]})",
      R"({"type":"record","name":"Purchase","namespace":"freshet.examples.clickstream","fields":[
        {"name":"amount","type":"double"},{"name":"items","type":"long"},
        {"name":"currency","type":{"type":"enum","name":"Currency","symbols":["EUR","USD"],"default":"USD"}}]})",
      R"({"type":"record","name":"T","fields":[{"name":"v","type":"double"},{"name":"kids","type":{"type":"array","items":"T"}},
        {"name":"next","type":["null","T"],"default":null},{"name":"tag","type":"string","default":"t"}]})",
      R"({"type":"record","name":"All","fields":[{"name":"l","type":"float"},{"name":"s","type":"bytes"},
        {"name":"e","type":{"type":"enum","name":"E","symbols":["B"],"default":"B"}},
        {"name":"u","type":["null","long","double","string"],"default":null}]})",
      R"({"type":"array","items":{"type":"map","values":{"type":"array","items":["string","null"]}}})",
  };
  return all;
}

} // namespace freshet::avro::fuzz
