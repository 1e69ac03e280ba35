#include "storage/writer.hpp"

#include <exception>
#include <semaphore>

namespace civicloop::storage {

namespace {

using Kind = StorageError::Kind;

// The connection of the batch this thread is running a job of (nested write() runs inline).
thread_local Connection* tl_batch_conn = nullptr;

// Runs job in a savepoint of conn; true when it was kept. Rethrows the job's exception after
// rolling back to the savepoint.
// Rolled back, the job's deferred statements (Connection::execute_at_batch_end) go too.
bool run_in_savepoint(Connection& conn, const WriteJob& job) {
  const std::size_t mark = conn.batch_end != nullptr ? conn.batch_end->size() : 0;
  auto drop_deferred = [&] {
    if (conn.batch_end != nullptr && conn.batch_end->size() > mark) conn.batch_end->resize(mark);
  };
  conn.savepoint();
  bool keep = false;
  try {
    keep = job(conn);
  } catch (...) {
    conn.rollback_to_savepoint();
    drop_deferred();
    throw;
  }
  if (keep) {
    conn.release_savepoint();
  } else {
    conn.rollback_to_savepoint();
    drop_deferred();
  }
  return keep;
}

}  // namespace

struct Writer::Pending {
  const WriteJob* job;
  bool kept = false;
  std::exception_ptr error;
  std::binary_semaphore done{0};
};

Writer::Writer(Connect connect, Options options) : connect_(std::move(connect)), options_(options) {
  if (options_.max_batch == 0) options_.max_batch = 1;
  thread_ = std::thread([this] { loop(); });
}

Writer::~Writer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Writer::run(const WriteJob& job) {
  if (tl_batch_conn != nullptr) {
    // A job that writes through the writer again: same batch, a nested savepoint.
    run_in_savepoint(*tl_batch_conn, job);
    return;
  }
  Pending p{&job};
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw StorageError(Kind::kUnavailable, "the database writer is stopping");
    queue_.push_back(&p);
  }
  ready_.notify_one();
  p.done.acquire();
  if (p.error) std::rethrow_exception(p.error);
}

Writer::Stats Writer::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void Writer::loop() {
  std::vector<Pending*> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued was done
      // No waiting to fill the batch: whatever queued while the last commit was on disk.
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    run_batch(batch);
    {
      std::lock_guard lock(mutex_);
      ++stats_.batches;
      stats_.jobs += batch.size();
    }
    // Only now, after the commit returned: acknowledged means on disk.
    for (Pending* p : batch) p->done.release();
    batch.clear();
  }
}

void Writer::run_batch(std::vector<Pending*>& batch) {
  auto fail_all = [&](std::exception_ptr e, bool only_kept) {
    for (Pending* p : batch) {
      if (!only_kept || p->kept) {
        p->kept = false;
        p->error = e;
      }
    }
  };
  try {
    if (conn_ && conn_->broken()) conn_.reset();
    if (!conn_) conn_ = connect_();
    conn_->begin(true);
  } catch (...) {
    fail_all(std::current_exception(), false);
    return;
  }
  Connection& conn = *conn_;
  std::vector<Connection::Deferred> deferred;
  conn.batch_end = &deferred;
  std::size_t ran = 0;
  for (Pending* p : batch) {
    tl_batch_conn = &conn;
    try {
      p->kept = run_in_savepoint(conn, *p->job);
    } catch (...) {
      p->error = std::current_exception();
    }
    tl_batch_conn = nullptr;
    ++ran;
    if (!conn.in_transaction() || conn.broken()) {
      // The backend ended the transaction (an I/O error, a lost connection): nothing of the
      // batch will commit. The jobs not yet run go back to the front of the queue.
      auto e = std::make_exception_ptr(StorageError(
          Kind::kUnavailable, "the batch transaction was lost; nothing of it was written"));
      for (std::size_t i = 0; i < ran; ++i) {
        if (batch[i]->kept || !batch[i]->error) {
          batch[i]->kept = false;
          batch[i]->error = e;
        }
      }
      conn.batch_end = nullptr;
      conn.rollback();
      {
        std::lock_guard lock(mutex_);
        for (std::size_t i = batch.size(); i > ran; --i) queue_.push_front(batch[i - 1]);
      }
      batch.resize(ran);
      return;
    }
  }
  conn.batch_end = nullptr;
  try {
    // The kept jobs' deferred statements, in the order they were made, then the one COMMIT. One
    // failing fails the batch like a failed COMMIT: nothing of it is written.
    for (const auto& d : deferred) conn.execute(d.sql, d.params);
    conn.commit();
  } catch (...) {
    conn.rollback();
    fail_all(std::current_exception(), true);
    std::lock_guard lock(mutex_);
    ++stats_.failed_commits;
  }
}

}  // namespace civicloop::storage
