// Group commit: one writer thread that commits whatever is queued in one durable transaction.
//
// A caller hands the writer a job, fn(Connection&) -> bool, and blocks. The writer takes every job
// queued at that moment (up to max_batch), opens one write transaction, and runs each job in
// turn inside its own SAVEPOINT: a job that returns true keeps its work (RELEASE), one that
// returns false or throws has its work undone alone (ROLLBACK TO), so a failing request never
// fails its neighbours. Then it commits once and only then wakes every caller of the batch: a
// caller whose job was kept returns after its work is on disk (SQLite synchronous=FULL, or a
// PostgreSQL COMMIT), never before. If the commit fails, every kept job's caller gets that
// StorageError and nothing of the batch is written; unacknowledged, not lost.
//
// Jobs run in the order they were queued, on one connection, so whatever they append (the ledger
// hash chain) is linear and the order of events is the order of commits. The writer never waits
// to fill a batch: under light load a batch holds one job; under load the jobs that arrived while
// the previous commit was on disk share the next one.
//
// Ownership: a Database owns one Writer, started on first use (Database::write). The writer
// opens its own connection (outside the pool) and reopens it when it breaks. Thread-safe: run()
// may be called from any number of threads. A job must not block on anything but the database
// (it holds up every request behind it) and must not start a transaction of its own; a write()
// from inside a job runs inline as a nested savepoint of the same batch.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/db.hpp"

namespace civicloop::storage {

class Writer {
 public:
  using Connect = std::function<std::unique_ptr<Connection>()>;
  struct Options {
    std::size_t max_batch = 512;
  };
  using Stats = WriteStats;

  Writer(Connect connect, Options options);
  explicit Writer(Connect connect) : Writer(std::move(connect), Options{}) {}
  ~Writer();  // finishes the queued jobs, then stops
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Runs job inside the next batch and returns once that batch committed (or failed). Rethrows
  // what the job threw, or the StorageError that failed the batch's BEGIN or COMMIT. A job that
  // returned false is rolled back and run() returns normally.
  void run(const WriteJob& job);

  Stats stats() const;

 private:
  struct Pending;
  void loop();
  void run_batch(std::vector<Pending*>& batch);

  Connect connect_;
  Options options_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Pending*> queue_;
  bool stopping_ = false;
  Stats stats_;
  std::unique_ptr<Connection> conn_;  // the writer thread's only
  std::thread thread_;
};

}  // namespace civicloop::storage
