// The group-commit writer (storage/writer.hpp) on both backends: a failing job does not fail its
// batch neighbours, a batch whose commit fails writes nothing and tells every kept job, the order
// of ledger events is the order the writer applied (and committed) the jobs, a StorageError of
// kind kConflict reaches its caller as it did before, and a write from inside a job is a nested
// savepoint of the same batch.
#include "storage/writer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/account_repo.hpp"
#include "storage/ledger_repo.hpp"
#include "support/test_db.hpp"

namespace civicloop::storage {
namespace {

using Kind = StorageError::Kind;
using namespace std::chrono_literals;

constexpr std::int64_t kNow = 1795813500000;  // 2026-11-27T21:05:00Z

class WriterTest : public test::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto c = db().acquire();
    c->exec_script(
        "CREATE TABLE wt_items (id INTEGER PRIMARY KEY, note TEXT NOT NULL);"
        "CREATE TABLE wt_parent (id INTEGER PRIMARY KEY);"
        "CREATE TABLE wt_child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL "
        "REFERENCES wt_parent (id) DEFERRABLE INITIALLY DEFERRED)");
    Tenant t;
    t.code = "pingcheng";
    t.name = "平城区";
    c->begin(true);
    tenant_ = TenantRepo(*c).upsert(t, kNow);
    c->commit();
  }

  std::set<std::int64_t> item_ids() {
    auto c = db().acquire();
    std::set<std::int64_t> out;
    for (const auto& r : c->query("SELECT id FROM wt_items")) out.insert(r.get_int(0));
    return out;
  }

  // Runs jobs[0] first and holds the writer inside it until every other job is queued, so that
  // jobs[1..] share one batch. Returns what each call threw (nullopt: nothing).
  std::vector<std::optional<StorageError>> run_batched(std::vector<WriteJob> jobs) {
    const std::size_t n = jobs.size();
    std::vector<std::optional<StorageError>> errors(n);
    std::atomic<int> queued{0};
    std::latch started(1);
    const WriteJob first = jobs[0];
    jobs[0] = [&](Connection& c) {
      started.count_down();
      // The other callers are queued behind this job (give them time to reach the queue).
      for (int i = 0; i < 500 && queued.load() < static_cast<int>(n - 1); ++i) {
        std::this_thread::sleep_for(1ms);
      }
      std::this_thread::sleep_for(20ms);
      return first(c);
    };
    std::vector<std::thread> threads;
    auto call = [&](std::size_t i) {
      try {
        db().write(jobs[i]);
      } catch (const StorageError& e) {
        errors[i] = e;
      }
    };
    threads.emplace_back(call, 0);
    started.wait();
    for (std::size_t i = 1; i < n; ++i) {
      threads.emplace_back([&, i] {
        ++queued;
        call(i);
      });
    }
    for (auto& t : threads) t.join();
    return errors;
  }

  std::int64_t tenant_ = 0;
};

WriteJob insert_item(std::int64_t id) {
  return [id](Connection& c) {
    c.execute("INSERT INTO wt_items (id, note) VALUES (?, ?)", {id, std::string("item")});
    return true;
  };
}

TEST_P(WriterTest, AFailingJobDoesNotFailItsBatchNeighbours) {
  std::vector<WriteJob> jobs;
  jobs.push_back(insert_item(1));
  for (std::int64_t i = 2; i <= 13; ++i) {
    switch (i % 4) {
      case 0:  // a statement fails: a duplicate key (item 1 exists); the transaction is aborted
        jobs.push_back([i](Connection& c) {
          c.execute("INSERT INTO wt_items (id, note) VALUES (?, ?)", {i, std::string("first")});
          c.execute("INSERT INTO wt_items (id, note) VALUES (?, ?)",
                    {std::int64_t{1}, std::string("dup")});
          return true;
        });
        break;
      case 1:  // the job answers an error value: its work is rolled back
        jobs.push_back([i](Connection& c) {
          c.execute("INSERT INTO wt_items (id, note) VALUES (?, ?)", {i, std::string("no")});
          return false;
        });
        break;
      default:
        jobs.push_back(insert_item(i));
    }
  }
  const auto errors = run_batched(jobs);
  std::set<std::int64_t> expected{1};
  for (std::int64_t i = 2; i <= 13; ++i) {
    if (i % 4 == 0) {
      ASSERT_TRUE(errors[i - 1].has_value()) << "job " << i;
      EXPECT_EQ(errors[i - 1]->kind(), Kind::kUniqueViolation) << errors[i - 1]->what();
    } else {
      EXPECT_FALSE(errors[i - 1].has_value()) << "job " << i << ": " << errors[i - 1]->what();
      if (i % 4 != 1) expected.insert(i);
    }
  }
  EXPECT_EQ(item_ids(), expected);
  const auto stats = db().write_stats();
  EXPECT_EQ(stats.jobs, 13u);
  EXPECT_LT(stats.batches, 13u) << "the jobs queued behind the first should share a batch";
}

TEST_P(WriterTest, ABatchWhoseCommitFailsWritesNothingAndTellsEveryKeptJob) {
  std::vector<WriteJob> jobs;
  jobs.push_back(insert_item(1));
  jobs.push_back(insert_item(2));
  // Kept by its savepoint, refused at COMMIT: a deferred foreign key with no parent.
  jobs.push_back([](Connection& c) {
    c.execute("INSERT INTO wt_child (id, parent_id) VALUES (1, 99)");
    return true;
  });
  jobs.push_back(insert_item(3));
  jobs.push_back([](Connection& c) {  // not kept: told its own outcome, not the batch's
    c.execute("INSERT INTO wt_items (id, note) VALUES (4, 'no')");
    return false;
  });
  const auto errors = run_batched(jobs);
  EXPECT_FALSE(errors[0].has_value());  // its own batch, committed before
  for (std::size_t i : {1u, 2u, 3u}) {
    ASSERT_TRUE(errors[i].has_value()) << "job " << i;
    EXPECT_EQ(errors[i]->kind(), Kind::kConstraint) << errors[i]->what();
  }
  EXPECT_FALSE(errors[4].has_value());
  EXPECT_EQ(item_ids(), std::set<std::int64_t>{1});
  auto c = db().acquire();
  EXPECT_EQ(c->query("SELECT count(*) FROM wt_child")[0].get_int(0), 0);
  EXPECT_GE(db().write_stats().failed_commits, 1u);
  // The writer goes on after a failed commit.
  db().write(insert_item(5));
  EXPECT_EQ(item_ids(), (std::set<std::int64_t>{1, 5}));
}

TEST_P(WriterTest, LedgerEventsFollowTheOrderOfCommitsAndStayLinear) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::mutex order_mutex;
  std::vector<std::int64_t> kept_order;  // entity ids in the order the writer kept them
  std::vector<std::thread> threads;
  std::atomic<int> refused{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::int64_t entity = t * 1000 + i;
        const bool keep = (entity % 5) != 3;  // every fifth appends and then rolls back
        db().write([&, entity, keep](Connection& c) {
          ledger::Event e;
          e.at = kNow + entity;
          e.actor_name = "system";
          e.entity_type = "case";
          e.entity_id = entity;
          e.action = "report";
          e.after = "{}";
          LedgerRepo(c, tenant_).append(e);
          if (keep) {
            std::lock_guard lock(order_mutex);
            kept_order.push_back(entity);
          } else {
            ++refused;
          }
          return keep;
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  auto c = db().acquire();
  const auto r = LedgerRepo(*c, tenant_).verify();
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.events, static_cast<std::int64_t>(kept_order.size()));
  EXPECT_GT(refused.load(), 0);
  std::vector<std::int64_t> by_seq;
  std::int64_t expect_seq = 1;
  for (const auto& row :
       c->query("SELECT seq, entity_id FROM ledger_events WHERE tenant_id = ? ORDER BY seq",
                {tenant_})) {
    EXPECT_EQ(row.get_int(0), expect_seq++) << "no gap where a job was rolled back";
    by_seq.push_back(row.get_int(1));
  }
  EXPECT_EQ(by_seq, kept_order);
}

TEST_P(WriterTest, AConflictReachesItsCallerAsBefore) {
  std::vector<WriteJob> jobs;
  jobs.push_back(insert_item(1));
  jobs.push_back([](Connection& c) -> bool {
    c.execute("INSERT INTO wt_items (id, note) VALUES (2, 'x')");
    throw StorageError(Kind::kConflict, "lock timeout (made up)");
  });
  jobs.push_back(insert_item(3));
  const auto errors = run_batched(jobs);
  ASSERT_TRUE(errors[1].has_value());
  EXPECT_EQ(errors[1]->kind(), Kind::kConflict);
  EXPECT_FALSE(errors[2].has_value());
  EXPECT_EQ(item_ids(), (std::set<std::int64_t>{1, 3}));
}

TEST_P(WriterTest, AWriteFromInsideAJobIsANestedSavepoint) {
  db().write([&](Connection& c) {
    c.execute("INSERT INTO wt_items (id, note) VALUES (1, 'outer')");
    db().write(insert_item(2));
    db().write([](Connection& inner) {
      inner.execute("INSERT INTO wt_items (id, note) VALUES (3, 'rolled back')");
      return false;
    });
    return true;
  });
  EXPECT_EQ(item_ids(), (std::set<std::int64_t>{1, 2}));
}

// Connection::execute_at_batch_end: run after the batch's last job, before its COMMIT, only for
// jobs that were kept (a nested savepoint rolled back drops its own); at once outside a batch.
TEST_P(WriterTest, StatementsDeferredToTheBatchEndRunOnlyForKeptJobs) {
  auto deferred_item = [](std::int64_t id, bool keep) -> WriteJob {
    return [id, keep](Connection& c) {
      c.execute_at_batch_end("INSERT INTO wt_items (id, note) VALUES (?, ?)",
                             {id, std::string("deferred")});
      // Not yet run: the job itself does not see it.
      EXPECT_EQ(c.query("SELECT count(*) FROM wt_items WHERE id = ?", {id})[0].get_int(0), 0);
      return keep;
    };
  };
  std::vector<WriteJob> jobs;
  jobs.push_back(insert_item(1));
  jobs.push_back(deferred_item(2, true));
  jobs.push_back(deferred_item(3, false));  // rolled back: its deferred insert goes with it
  jobs.push_back([](Connection& c) {        // throws after deferring: dropped too
    c.execute_at_batch_end("INSERT INTO wt_items (id, note) VALUES (4, 'thrown')");
    c.execute("INSERT INTO wt_items (id, note) VALUES (1, 'dup')");
    return true;
  });
  jobs.push_back([&](Connection& c) {  // a nested write rolled back drops only its own
    c.execute_at_batch_end("INSERT INTO wt_items (id, note) VALUES (5, 'outer')");
    db().write([](Connection& inner) {
      inner.execute_at_batch_end("INSERT INTO wt_items (id, note) VALUES (6, 'inner')");
      return false;
    });
    return true;
  });
  const auto errors = run_batched(jobs);
  EXPECT_FALSE(errors[1].has_value());
  EXPECT_FALSE(errors[2].has_value());
  ASSERT_TRUE(errors[3].has_value());
  EXPECT_EQ(errors[3]->kind(), Kind::kUniqueViolation);
  EXPECT_EQ(item_ids(), (std::set<std::int64_t>{1, 2, 5}));
  // Outside a batch: at once.
  auto c = db().acquire();
  c->begin(true);
  c->execute_at_batch_end("INSERT INTO wt_items (id, note) VALUES (7, 'now')");
  EXPECT_EQ(c->query("SELECT count(*) FROM wt_items WHERE id = 7")[0].get_int(0), 1);
  c->commit();
}

// A deferred statement that fails fails its batch like a failed COMMIT: nothing of it is written.
TEST_P(WriterTest, AFailingDeferredStatementFailsItsBatch) {
  std::vector<WriteJob> jobs;
  jobs.push_back(insert_item(1));
  jobs.push_back(insert_item(2));
  jobs.push_back([](Connection& c) {
    c.execute_at_batch_end("INSERT INTO wt_items (id, note) VALUES (1, 'dup at the end')");
    return true;
  });
  const auto errors = run_batched(jobs);
  EXPECT_FALSE(errors[0].has_value());
  ASSERT_TRUE(errors[1].has_value());
  ASSERT_TRUE(errors[2].has_value());
  EXPECT_EQ(errors[2]->kind(), Kind::kUniqueViolation);
  EXPECT_EQ(item_ids(), std::set<std::int64_t>{1});
  db().write(insert_item(3));
  EXPECT_EQ(item_ids(), (std::set<std::int64_t>{1, 3}));
}

TEST_P(WriterTest, SavepointsClearAnAbortedTransaction) {
  auto c = db().acquire();
  c->begin(true);
  c->savepoint();
  EXPECT_THROW(c->execute("INSERT INTO wt_nothing VALUES (1)"), StorageError);
  c->rollback_to_savepoint();
  EXPECT_TRUE(c->in_transaction());
  c->execute("INSERT INTO wt_items (id, note) VALUES (7, 'after')");
  c->commit();
  EXPECT_FALSE(c->in_transaction());
  EXPECT_EQ(item_ids(), std::set<std::int64_t>{7});
}

INSTANTIATE_TEST_SUITE_P(Backends, WriterTest, ::testing::ValuesIn(test::test_backends()),
                         test::backend_name);

}  // namespace
}  // namespace civicloop::storage
