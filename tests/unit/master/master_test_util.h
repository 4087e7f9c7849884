// Helpers shared by the master unit tests: a temporary directory, a manual clock, a master
// state machine on a fresh LevelDB, and command builders.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/names.h"
#include "master/local_command_log.h"
#include "master/state_machine.h"

namespace tessera::master::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tessera-master-XXXXXX");
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class ManualClock final : public Clock {
 public:
  int64_t NowUnixNanos() const override { return unix_ns_; }
  int64_t NowMonotonicNanos() const override { return monotonic_ns_; }
  void AdvanceMs(int64_t ms) {
    unix_ns_ += ms * 1'000'000;
    monotonic_ns_ += ms * 1'000'000;
  }

 private:
  int64_t unix_ns_ = 1'700'000'000'000'000'000;
  int64_t monotonic_ns_ = 1'000'000'000;
};

inline std::unique_ptr<StateMachine> OpenStateMachine(const std::string& dir) {
  auto state = StateMachine::Open(dir, {.sync_writes = false});
  EXPECT_TRUE(state.ok()) << state.status().ToString();
  return std::move(state).value();
}

inline MetaCommand InitRoot() {
  master_state::InitRootCommand init;
  init.mode = 0755;
  MetaCommand command;
  command.__set_init_root(init);
  return command;
}

inline MetaCommand Mkdir(int64_t parent, const std::string& name, int32_t mode = 0755) {
  master_state::MkdirCommand mkdir;
  mkdir.parent = parent;
  mkdir.name = name;
  mkdir.mode = mode;
  MetaCommand command;
  command.__set_mkdir(mkdir);
  return command;
}

inline MetaCommand Create(int64_t parent, const std::string& name, int32_t goal = 2) {
  master_state::CreateCommand create;
  create.parent = parent;
  create.name = name;
  create.mode = 0644;
  create.goal = goal;
  MetaCommand command;
  command.__set_create(create);
  return command;
}

inline MetaCommand Unlink(int64_t parent, const std::string& name) {
  master_state::UnlinkCommand unlink;
  unlink.parent = parent;
  unlink.name = name;
  MetaCommand command;
  command.__set_unlink(unlink);
  return command;
}

inline MetaCommand Rmdir(int64_t parent, const std::string& name) {
  master_state::RmdirCommand rmdir;
  rmdir.parent = parent;
  rmdir.name = name;
  MetaCommand command;
  command.__set_rmdir(rmdir);
  return command;
}

inline MetaCommand Rename(int64_t old_parent, const std::string& old_name, int64_t new_parent,
                          const std::string& new_name) {
  master_state::RenameCommand rename;
  rename.old_parent = old_parent;
  rename.old_name = old_name;
  rename.new_parent = new_parent;
  rename.new_name = new_name;
  MetaCommand command;
  command.__set_rename(rename);
  return command;
}

inline MetaCommand Link(int64_t inode, int64_t new_parent, const std::string& new_name) {
  master_state::LinkCommand link;
  link.inode = inode;
  link.new_parent = new_parent;
  link.new_name = new_name;
  MetaCommand command;
  command.__set_link(link);
  return command;
}

inline MetaCommand Mknod(int64_t parent, const std::string& name, rpc::FileType::type type,
                  const std::string& target = "") {
  master_state::MknodCommand mknod;
  mknod.parent = parent;
  mknod.name = name;
  mknod.type = type;
  mknod.mode = 0640;
  mknod.uid = 1000;
  mknod.gid = 100;
  mknod.symlink_target = target;
  MetaCommand command;
  command.__set_mknod(mknod);
  return command;
}

inline MetaCommand RenameFlags(int64_t old_parent, const std::string& old_name, int64_t new_parent,
                        const std::string& new_name, int32_t flags) {
  MetaCommand command = Rename(old_parent, old_name, new_parent, new_name);
  command.rename.flags = flags;
  return command;
}

inline MetaCommand Truncate(int64_t inode, int64_t size) {
  master_state::SetAttrCommand set_attr;
  set_attr.inode = inode;
  set_attr.__set_size(size);
  MetaCommand command;
  command.__set_set_attr(set_attr);
  return command;
}

inline MetaCommand AllocateChunk(int64_t inode, int64_t chunk_index) {
  master_state::AllocateChunkCommand allocate;
  allocate.inode = inode;
  allocate.chunk_index = chunk_index;
  MetaCommand command;
  command.__set_allocate_chunk(allocate);
  return command;
}

inline MetaCommand SetGoal(int64_t inode, int32_t goal) {
  master_state::SetGoalCommand set_goal;
  set_goal.inode = inode;
  set_goal.goal = goal;
  MetaCommand command;
  command.__set_set_goal(set_goal);
  return command;
}

inline MetaCommand SetServerDraining(int64_t server_id, bool draining) {
  master_state::SetServerDrainingCommand set;
  set.server_id = server_id;
  set.draining = draining;
  MetaCommand command;
  command.__set_set_server_draining(set);
  return command;
}

// The operator's balance: "running" (with its threshold and bandwidth), "done" or "stopped".
inline MetaCommand SetBalance(const std::string& state, double threshold_pct = 0,
                              int64_t bandwidth = 0) {
  master_state::SetBalanceCommand set;
  set.state = state;
  set.threshold_pct = threshold_pct;
  set.bandwidth_bytes_per_sec = bandwidth;
  MetaCommand command;
  command.__set_set_balance(set);
  return command;
}

inline MetaCommand CommitWrite(int64_t inode, int64_t end_offset, int64_t mtime_ns) {
  master_state::CommitWriteCommand commit;
  commit.inode = inode;
  commit.end_offset = end_offset;
  commit.mtime_ns = mtime_ns;
  MetaCommand command;
  command.__set_commit_write(commit);
  return command;
}

inline MetaCommand FreeUnlinkedInodes(std::vector<int64_t> inodes) {
  master_state::FreeUnlinkedInodeCommand free;
  free.inodes = std::move(inodes);
  MetaCommand command;
  command.__set_free_unlinked_inode(free);
  return command;
}

inline MetaCommand FreeUnlinkedInode(int64_t inode) {
  master_state::FreeUnlinkedInodeCommand free;
  free.inodes = {inode};
  MetaCommand command;
  command.__set_free_unlinked_inode(free);
  return command;
}

// The error code a MasterService handler call throws (OK when it returns).
inline rpc::ErrorCode::type ErrorOf(const std::function<void()>& call) {
  try {
    call();
  } catch (const rpc::TesseraError& e) {
    return e.code;
  }
  return rpc::ErrorCode::OK;
}

// Extended attribute commands of root (uid 0).
inline MetaCommand SetXattr(int64_t inode, const std::string& name, const std::string& value,
                            int32_t flags = 0) {
  master_state::SetXattrCommand set;
  set.inode = inode;
  set.name = name;
  set.value = value;
  set.flags = flags;
  MetaCommand command;
  command.__set_set_xattr(set);
  return command;
}

inline MetaCommand RemoveXattr(int64_t inode, const std::string& name) {
  master_state::RemoveXattrCommand remove;
  remove.inode = inode;
  remove.name = name;
  MetaCommand command;
  command.__set_remove_xattr(remove);
  return command;
}

// A read's atime update, as the master itself would issue it (no caller).
inline MetaCommand TouchAtime(int64_t inode) {
  master_state::TouchAtimeCommand touch;
  touch.inode = inode;
  MetaCommand command;
  command.__set_touch_atime(touch);
  return command;
}

// A state machine on a fresh database, fed through the local command log like the daemon.
class MasterStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Open();
    ASSERT_TRUE(log_->Propose(InitRoot()).ok());
  }

  void Open() {
    state_ = OpenStateMachine(dir_.path());
    log_ = std::make_unique<LocalCommandLog>(state_.get(), &clock_);
  }
  void Reopen() {
    log_.reset();
    state_.reset();
    Open();
  }

  Result<ApplyResult> Propose(MetaCommand command) {
    clock_.AdvanceMs(1);
    return log_->Propose(std::move(command));
  }
  // Proposes and expects success; returns the new or changed inode.
  int64_t MustCreate(MetaCommand command) {
    Result<ApplyResult> result = Propose(std::move(command));
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (!result.ok() || !result->attr) return 0;
    return result->attr->inode;
  }
  rpc::Attr Attr(int64_t inode) {
    Result<rpc::Attr> attr = state_->GetAttr(inode);
    EXPECT_TRUE(attr.ok()) << attr.status().ToString();
    return attr.ok() ? *attr : rpc::Attr();
  }
  StatusCode CodeOf(MetaCommand command) { return Propose(std::move(command)).status().code(); }

  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<StateMachine> state_;
  std::unique_ptr<LocalCommandLog> log_;
};

}  // namespace tessera::master::testing
