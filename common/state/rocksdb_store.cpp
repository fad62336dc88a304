#include <filesystem>

#include <rocksdb/db.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/db_ttl.h>
#include <rocksdb/write_batch.h>

#include "common/state/kv_store.hpp"

namespace freshet::state {

namespace {

error to_error(const rocksdb::Status& s, const std::string& what) {
  return make_error(error_domain::io, static_cast<int>(s.code()), "rocksdb " + what + ": " + s.ToString(),
                    s.IsBusy() || s.IsTryAgain() || s.IsTimedOut());
}

class rocksdb_store final : public kv_store {
 public:
  explicit rocksdb_store(rocksdb::DB* db) : db_(db) {}

  result<std::optional<std::string>> get(std::string_view key) override {
    std::string v;
    auto s = db_->Get(rocksdb::ReadOptions{}, rocksdb::Slice{key.data(), key.size()}, &v);
    if (s.IsNotFound())
      return std::optional<std::string>{};
    if (!s.ok())
      return to_error(s, "get");
    return std::optional<std::string>{std::move(v)};
  }

  status write(const write_batch& batch) override {
    rocksdb::WriteBatch wb;
    for (const auto& op : batch.ops) {
      if (op.value)
        wb.Put(op.key, *op.value);
      else
        wb.Delete(op.key);
    }
    // No fsync: the changelog in Kafka is the durable copy; this store is a cache of it.
    auto s = db_->Write(rocksdb::WriteOptions{}, &wb);
    if (!s.ok())
      return to_error(s, "write");
    return {};
  }

  status scan(std::string_view prefix, const std::function<bool(std::string_view, std::string_view)>& fn) override {
    std::unique_ptr<rocksdb::Iterator> it{db_->NewIterator(rocksdb::ReadOptions{})};
    for (it->Seek(rocksdb::Slice{prefix.data(), prefix.size()}); it->Valid(); it->Next()) {
      auto k = it->key();
      std::string_view key{k.data(), k.size()};
      if (!key.starts_with(prefix))
        break;
      auto v = it->value();
      if (!fn(key, std::string_view{v.data(), v.size()}))
        break;
    }
    if (!it->status().ok())
      return to_error(it->status(), "scan");
    return {};
  }

  status clear() override {
    rocksdb::WriteBatch wb;
    std::unique_ptr<rocksdb::Iterator> it{db_->NewIterator(rocksdb::ReadOptions{})};
    for (it->SeekToFirst(); it->Valid(); it->Next())
      wb.Delete(it->key());
    auto s = db_->Write(rocksdb::WriteOptions{}, &wb);
    if (!s.ok())
      return to_error(s, "clear");
    return {};
  }

  uint64_t approximate_bytes() override {
    uint64_t live = 0, mem = 0;
    db_->GetIntProperty("rocksdb.estimate-live-data-size", &live);
    db_->GetIntProperty("rocksdb.cur-size-all-mem-tables", &mem);
    return live + mem;
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
};

} // namespace

result<std::unique_ptr<kv_store>> open_rocksdb(const rocksdb_options& opts) {
  std::error_code ec;
  std::filesystem::create_directories(opts.path, ec);
  if (ec)
    return make_error(error_domain::io, ec.value(), "cannot create " + opts.path + ": " + ec.message());
  rocksdb::Options options;
  options.create_if_missing = true;
  options.IncreaseParallelism(2);
  options.OptimizeLevelStyleCompaction(64 << 20);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(opts.block_cache_bytes);
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  rocksdb::Status s;
  rocksdb::DB* db = nullptr;
  if (opts.ttl_seconds > 0) {
    rocksdb::DBWithTTL* ttl_db = nullptr;
    s = rocksdb::DBWithTTL::Open(options, opts.path, &ttl_db, static_cast<int32_t>(opts.ttl_seconds));
    db = ttl_db;
  } else {
    s = rocksdb::DB::Open(options, opts.path, &db);
  }
  if (!s.ok())
    return to_error(s, "open " + opts.path);
  return std::unique_ptr<kv_store>{std::make_unique<rocksdb_store>(db)};
}

} // namespace freshet::state
