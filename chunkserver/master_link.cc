#include "chunkserver/master_link.h"

#include <utility>

#include "common/logging.h"

namespace tessera {
namespace {

constexpr char kComponent[] = "chunkserver";

rpc::ChunkReport ToReport(const ChunkRecord& record) {
  rpc::ChunkReport report;
  report.chunk_id = record.chunk_id;
  report.version = record.version;
  report.length = record.length;
  return report;
}

}  // namespace

MasterLink::MasterLink(MasterLinkOptions options, ChunkStore* store, StatsProvider stats)
    : options_(std::move(options)),
      store_(store),
      stats_(std::move(stats)),
      masters_(options_.rpc) {}

MasterLink::~MasterLink() { Stop(); }

void MasterLink::Start() {
  thread_ = std::thread([this] { Run(); });
  deleter_ = std::thread([this] { RunDeleter(); });
}

void MasterLink::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  deletions_ready_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (deleter_.joinable()) deleter_.join();
}

void MasterLink::RunDeleter() {
  for (;;) {
    std::vector<int64_t> batch;
    {
      std::unique_lock lock(mu_);
      deletions_ready_.wait(lock, [this] { return stopping_ || !deletions_.empty(); });
      // Chunks still queued at shutdown stay on disk, left for garbage collection.
      if (stopping_) return;
      batch.assign(deletions_.begin(), deletions_.end());
      deletions_.clear();
    }
    DeleteChunks(batch);
  }
}

bool MasterLink::registered() const {
  std::lock_guard lock(mu_);
  return registered_;
}

bool MasterLink::WaitFor(std::chrono::milliseconds delay) {
  std::unique_lock lock(mu_);
  return !wake_.wait_for(lock, delay, [this] { return stopping_; });
}

size_t NextMasterAfterFailure(const std::vector<HostPort>& masters, size_t current,
                              const HostPort& failed) {
  size_t next = current;
  for (size_t step = 0; step < masters.size(); ++step) {
    next = (next + 1) % masters.size();
    if (!(masters[next] == failed)) return next;
  }
  return next;  // every entry is the failed master: it is all there is to try
}

template <typename F>
Status MasterLink::CallLeader(const char* what, F&& call) {
  if (options_.masters.empty()) return Status::InvalidArgument("no master address configured");
  HostPort target = leader_.port != 0 ? leader_ : options_.masters[next_master_];
  // One round: each configured master once, plus a few leader hints along the way.
  constexpr int kMaxHintsFollowed = 3;
  int hints_followed = 0;
  size_t masters_tried = 0;
  while (true) {
    RpcOutcome outcome = masters_.Call(target, call);
    if (outcome.status.ok()) {
      if (!(leader_ == target)) {
        LOG(kInfo, kComponent) << "master leader is " << target.ToString();
      }
      leader_ = target;
      return Status::Ok();
    }
    Status failed(outcome.status.code(), target.ToString() + ": " + outcome.status.message());
    if (outcome.status.code() == StatusCode::kNotLeader && !outcome.leader_hint.empty() &&
        hints_followed < kMaxHintsFollowed) {
      Result<HostPort> hint = ParseHostPort(outcome.leader_hint);
      if (hint.ok() && !(*hint == target)) {
        LOG(kInfo, kComponent) << what << ": " << target.ToString()
                               << " is not the leader, following hint " << hint->ToString();
        ++hints_followed;
        target = *hint;
        continue;
      }
    }
    const bool try_another = outcome.status.code() == StatusCode::kNotLeader ||
                             outcome.status.code() == StatusCode::kUnavailable ||
                             outcome.connection_broken;
    if (!try_another) return failed;  // the master answered; it just refused this request
    leader_ = HostPort{};
    if (++masters_tried >= options_.masters.size()) return failed;
    next_master_ = NextMasterAfterFailure(options_.masters, next_master_, target);
    target = options_.masters[next_master_];
  }
}

Status MasterLink::Register() {
  // Everything changed so far is in the full report below.
  (void)store_->TakeChanges();
  std::vector<rpc::ChunkReport> chunks;
  for (const ChunkRecord& record : store_->ListChunks()) chunks.push_back(ToReport(record));
  rpc::ChunkServerInfo info;
  info.server_id = store_->server_id();
  info.host = options_.advertised.host;
  info.port = options_.advertised.port;
  info.rack = options_.rack;
  rpc::RegisterReply reply;
  RETURN_IF_ERROR(CallLeader("register", [&](rpc::MasterServiceClient& client) {
    client.registerChunkServer(reply, info, chunks);
  }));
  LOG(kInfo, kComponent) << "registered with master " << leader_.ToString() << " as server "
                         << info.server_id << " (" << info.host << ":" << info.port << ", rack '"
                         << info.rack << "') reporting " << chunks.size() << " chunks";
  return Status::Ok();
}

void MasterLink::DeleteChunks(const std::vector<int64_t>& chunk_ids) {
  for (int64_t chunk_id : chunk_ids) {
    if (chunk_id <= 0) {
      LOG(kWarning, kComponent) << "master asked to delete invalid chunk id " << chunk_id;
      continue;
    }
    Status deleted = store_->Delete(chunk_id);
    if (!deleted.ok() && deleted.code() != StatusCode::kNotFound) {
      LOG(kError, kComponent) << "cannot delete chunk " << chunk_id << " as the master asked: "
                              << deleted.ToString();
    }
  }
}

Status MasterLink::Heartbeat() {
  // A data dir that failed while no chunk in it was touched is found here, and its chunks go
  // out as removed in this very heartbeat.
  store_->CheckDataDirs();
  ChunkChanges changes = store_->TakeChanges();
  std::vector<rpc::ChunkReport> added;
  for (const ChunkRecord& record : changes.added) added.push_back(ToReport(record));
  rpc::ChunkServerStats stats = stats_();
  rpc::HeartbeatReply reply;
  RETURN_IF_ERROR(CallLeader("heartbeat", [&](rpc::MasterServiceClient& client) {
    client.heartbeat(reply, store_->server_id(), stats, added, changes.removed);
  }));
  if (!reply.delete_chunks.empty()) {
    LOG(kInfo, kComponent) << "master asked to delete " << reply.delete_chunks.size()
                           << " chunks";
    {
      std::lock_guard lock(mu_);
      deletions_.insert(deletions_.end(), reply.delete_chunks.begin(), reply.delete_chunks.end());
    }
    deletions_ready_.notify_one();
  }
  if (reply.reregister) {
    LOG(kInfo, kComponent) << "master " << leader_.ToString()
                           << " does not know this server: registering again";
    need_register_ = true;
  }
  return Status::Ok();
}

void MasterLink::Run() {
  std::string last_error;
  while (true) {
    if (need_register_) {
      Status registered = Register();
      {
        std::lock_guard lock(mu_);
        registered_ = registered.ok();
      }
      if (registered.ok()) {
        need_register_ = false;
        last_error.clear();
      } else if (registered.ToString() != last_error) {
        // One line per new failure, not one per retry.
        last_error = registered.ToString();
        LOG(kWarning, kComponent) << "cannot register with any master (will retry): "
                                  << last_error;
      }
    }
    if (!WaitFor(options_.heartbeat_interval)) break;
    if (need_register_) continue;
    Status beat = Heartbeat();
    if (!beat.ok()) {
      LOG(kWarning, kComponent) << "heartbeat failed, will register again: " << beat.ToString();
      last_error = beat.ToString();
      need_register_ = true;
      std::lock_guard lock(mu_);
      registered_ = false;
    }
  }
  LOG(kInfo, kComponent) << "master link stopped";
}

}  // namespace tessera
