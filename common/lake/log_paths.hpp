#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

/// File names inside `_delta_log` (PROTOCOL.md "Delta Log Entries", "Checkpoints").
namespace freshet::lake {

inline constexpr const char* last_checkpoint_file = "_last_checkpoint";

/// `00000000000000000007.json`
[[nodiscard]] std::string commit_file(int64_t version);
/// `00000000000000000010.checkpoint.parquet` (a classic, single-file V1 checkpoint)
[[nodiscard]] std::string checkpoint_file(int64_t version);

struct log_file_name {
  enum class kind : uint8_t { commit, checkpoint, multipart_checkpoint };
  kind k = kind::commit;
  int64_t version = 0;
  int part = 0;  ///< multi-part checkpoints: 1-based part
  int parts = 0; ///< multi-part checkpoints: number of parts
};

/// What a `_delta_log` entry is, or nullopt for anything else (temp files, CRCs, UUID checkpoints,
/// log compactions, `_last_checkpoint`).
[[nodiscard]] std::optional<log_file_name> parse_log_file_name(std::string_view name);

} // namespace freshet::lake
