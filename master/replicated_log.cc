#include "master/replicated_log.h"

#include <random>
#include <utility>

#include "common/address.h"
#include "common/logging.h"

namespace tessera::master {
namespace {

constexpr const char* kComponent = "raft";

template <typename T>
Result<T> WaitFor(std::future<Result<T>>& future, std::chrono::steady_clock::time_point deadline,
                  const char* what) {
  if (future.wait_until(deadline) != std::future_status::ready) {
    return Status::Unavailable(std::string(what) + ": the master group did not answer in time");
  }
  return future.get();
}

}  // namespace

// std::mt19937_64 behind the core's Random interface, seeded per process: elections of
// different masters must not time out in step.
class ReplicatedLog::SeededRandom final : public raft::Random {
 public:
  SeededRandom() : engine_(std::random_device{}()) {}
  uint64_t Uniform(uint64_t bound) override {
    return std::uniform_int_distribution<uint64_t>(0, bound - 1)(engine_);
  }

 private:
  std::mt19937_64 engine_;
};

ReplicatedLog::ReplicatedLog(ReplicatedLogOptions options, RaftTransport* transport,
                             NamespaceReplica* replica, const StateMachine* state,
                             const Clock* clock)
    : options_(std::move(options)),
      transport_(transport),
      replica_(replica),
      state_(state),
      clock_(clock),
      random_(std::make_unique<SeededRandom>()) {}

Result<std::unique_ptr<ReplicatedLog>> ReplicatedLog::Start(ReplicatedLogOptions options,
                                                            raft::RaftStorage* storage,
                                                            NamespaceReplica* replica,
                                                            RaftTransport* transport,
                                                            const StateMachine* state,
                                                            const Clock* clock) {
  RETURN_IF_ERROR(options.raft.Validate());
  if (options.id == raft::kNoNode) return Status::InvalidArgument("the master id must be > 0");
  if (options.tick_ms <= 0) return Status::InvalidArgument("tick_ms must be > 0");
  if (!(options.lease_fraction >= 0 && options.lease_fraction <= 0.9)) {
    return Status::InvalidArgument("lease_fraction must be in [0, 0.9]");
  }
  std::unique_ptr<ReplicatedLog> log(
      new ReplicatedLog(options, transport, replica, state, clock));
  ReplicatedLog* self = log.get();
  replica->SetApplyObserver([self](const raft::LogEntry& entry, const Outcome* outcome) {
    self->OnApplied(entry, outcome);
  });
  log->core_ = std::make_unique<raft::RaftCore>(options.raft, options.id, storage, transport,
                                                replica, log->random_.get(),
                                                static_cast<raft::RaftListener*>(log.get()));
  RETURN_IF_ERROR(log->core_->Start());
  log->UpdatePeers();
  log->Publish();
  LOG(kInfo, kComponent) << "master " << options.id << " started: term " << log->core_->term()
                         << ", log up to " << log->core_->last_index() << ", applied up to "
                         << log->core_->applied_index() << ", "
                         << log->core_->membership().voters.size() << " voter(s)";
  log->raft_thread_ = std::thread([self] { self->Run(); });
  return log;
}

ReplicatedLog::~ReplicatedLog() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (raft_thread_.joinable()) raft_thread_.join();
}

ReplicatedLog::Clocktime ReplicatedLog::Deadline() const {
  return std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.request_timeout_ms);
}

// ---- called by RPC threads ----

Result<ApplyResult> ReplicatedLog::Propose(RequestOrigin origin, MetaCommand command) {
  Proposal proposal;
  proposal.entry.client_id = origin.client_id;
  proposal.entry.sequence = origin.sequence;
  proposal.entry.command = std::move(command);
  std::future<Outcome> outcome = proposal.done.get_future();
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Status::Unavailable("the master is shutting down");
    proposals_.push_back(std::move(proposal));
  }
  wake_.notify_one();
  return WaitFor(outcome, Deadline(), "proposal");
}

Status ReplicatedLog::ReadBarrier() {
  if (clock_->NowMonotonicNanos() < lease_until_ns_.load(std::memory_order_acquire)) {
    return Status::Ok();
  }
  ReadRequest request;
  std::future<Status> confirmed = request.done.get_future();
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Status::Unavailable("the master is shutting down");
    read_requests_.push_back(std::move(request));
  }
  wake_.notify_one();
  if (confirmed.wait_until(Deadline()) != std::future_status::ready) {
    return Status::Unavailable("read: the master group did not confirm the leadership in time");
  }
  return confirmed.get();
}

Result<LeaderTenure> ReplicatedLog::CheckLeader() const {
  std::lock_guard lock(status_mu_);
  if (view_.stopped) return Status::Unavailable("this master stopped after a storage failure");
  if (view_.role != raft::Role::kLeader) return Status::NotLeader(view_.leader_address);
  return LeaderTenure{static_cast<int64_t>(view_.term), view_.leader_since_ns};
}

int64_t ReplicatedLog::AppliedIndex() const { return state_->Counters().applied_index; }

void ReplicatedLog::Deliver(std::vector<raft::Message> messages,
                            std::map<raft::NodeId, HostPort> sender_addresses) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    for (raft::Message& message : messages) inbox_.push_back(std::move(message));
    for (auto& [id, address] : sender_addresses) inbox_addresses_[id] = std::move(address);
  }
  wake_.notify_one();
}

Status ReplicatedLog::RunAdmin(std::function<Result<raft::LogIndex>(raft::RaftCore&)> run,
                               const char* what) {
  AdminRequest request;
  // A membership change or transfer may hand the leadership over through TimeoutNow, whose
  // campaign voters grant despite stickiness: no lease may outlive it.
  request.run = std::move(run);
  std::future<Outcome> done = request.done.get_future();
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Status::Unavailable("the master is shutting down");
    admin_requests_.push_back(std::move(request));
  }
  wake_.notify_one();
  return WaitFor(done, Deadline(), what).status();
}

Status ReplicatedLog::AddMaster(raft::Member member) {
  return RunAdmin([member](raft::RaftCore& core) { return core.AddServer(member); }, "add master");
}

Status ReplicatedLog::RemoveMaster(raft::NodeId id) {
  return RunAdmin([id](raft::RaftCore& core) { return core.RemoveServer(id); }, "remove master");
}

Status ReplicatedLog::TransferLeadership(raft::NodeId target) {
  return RunAdmin(
      [target](raft::RaftCore& core) -> Result<raft::LogIndex> {
        RETURN_IF_ERROR(core.TransferLeadership(target));
        return raft::LogIndex{0};
      },
      "transfer leadership");
}

GroupView ReplicatedLog::View() const {
  std::lock_guard lock(status_mu_);
  return view_;
}

bool ReplicatedLog::Stopped() const {
  std::lock_guard lock(status_mu_);
  return view_.stopped;
}

// ---- the Raft thread ----

void ReplicatedLog::Run() {
  const auto tick = std::chrono::milliseconds(options_.tick_ms);
  auto next_tick = std::chrono::steady_clock::now() + tick;
  while (true) {
    std::vector<raft::Message> inbox;
    std::map<raft::NodeId, HostPort> addresses;
    std::vector<Proposal> proposals;
    std::vector<ReadRequest> reads;
    std::vector<AdminRequest> admin;
    {
      std::unique_lock lock(mu_);
      wake_.wait_until(lock, next_tick, [this] {
        return stopping_ || !inbox_.empty() || !proposals_.empty() || !read_requests_.empty() ||
               !admin_requests_.empty();
      });
      if (stopping_) break;
      inbox.swap(inbox_);
      addresses.swap(inbox_addresses_);
      proposals.swap(proposals_);
      reads.swap(read_requests_);
      admin.swap(admin_requests_);
    }
    for (auto& [id, address] : addresses) {
      constexpr size_t kMaxSenderAddresses = 16;
      if (sender_addresses_.size() < kMaxSenderAddresses || sender_addresses_.contains(id)) {
        sender_addresses_[id] = std::move(address);
      }
    }
    UpdatePeers();  // before Step: a reply to a sender learnt just now must find its address
    for (const raft::Message& message : inbox) core_->Step(message);
    StartAdmin(admin);
    ProposeBatch(proposals);
    StartReads(reads);
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_tick) {
      core_->Tick();
      next_tick += tick;
      if (next_tick <= now) next_tick = now + tick;  // the thread was held up; do not race
    }
    ReleaseConfirmedReads();
    MaybeRenewLease();
    UpdatePeers();
    Publish();
  }
  const Status down = Status::Unavailable("the master is shutting down");
  FailWaiters(down);
  for (Proposal& proposal : deferred_) proposal.done.set_value(down);
  deferred_.clear();
  for (ReadRequest& read : deferred_reads_) read.done.set_value(down);
  deferred_reads_.clear();
  std::lock_guard lock(mu_);
  for (Proposal& proposal : proposals_) proposal.done.set_value(down);
  for (ReadRequest& read : read_requests_) read.done.set_value(down);
  for (AdminRequest& request : admin_requests_) request.done.set_value(down);
}

Status ReplicatedLog::NotLeaderStatus() const {
  if (core_->stopped()) return Status::Unavailable("this master stopped after a storage failure");
  return Status::NotLeader(core_->leader_address());
}

void ReplicatedLog::ProposeBatch(std::vector<Proposal>& arrived) {
  for (Proposal& proposal : arrived) deferred_.push_back(std::move(proposal));
  if (role_ != raft::Role::kLeader || core_->stopped()) {
    const Status refused = NotLeaderStatus();
    for (Proposal& proposal : deferred_) proposal.done.set_value(refused);
    deferred_.clear();
    return;
  }
  // Until an entry of this term is applied, ids of earlier terms may still be on their way.
  MaybeStartIdCursor();
  if (!ids_ready_) return;

  std::vector<Proposal> batch;
  if (first_command_index_ == 0) {
    std::optional<MetaCommand> first;
    if (options_.leader_first_command) first = options_.leader_first_command();
    if (first) {
      // Nobody waits for its outcome: a refusal (an earlier leader got there first) is fine.
      batch.emplace_back();
      batch.back().entry.command = std::move(*first);
    }
    first_command_index_ = first ? core_->last_index() + 1 : core_->last_index();
  }
  for (Proposal& proposal : deferred_) batch.push_back(std::move(proposal));
  deferred_.clear();
  if (batch.empty()) return;
  const raft::LogIndex first = core_->last_index() + 1;
  const raft::Term term = core_->term();
  const int64_t now = clock_->NowUnixNanos();
  std::vector<std::string> encoded;
  encoded.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    FillProposerFields(&batch[i].entry.command, now, &ids_);
    encoded.push_back(EncodeLogCommand(batch[i].entry));
    // Registered before proposing: a group of one commits and applies inside Propose.
    waiters_[first + i] = Waiter{term, std::move(batch[i].done)};
  }
  Result<raft::LogIndex> appended = core_->Propose(std::move(encoded));
  if (appended.ok() && *appended == first) return;
  const Status refused =
      appended.ok() ? Status::Internal("the log appended the batch at an unexpected index")
                    : (appended.status().code() == StatusCode::kNotLeader ? NotLeaderStatus()
                                                                          : appended.status());
  if (first_command_index_ >= first) first_command_index_ = 0;  // ask again next time
  for (size_t i = 0; i < batch.size(); ++i) {
    auto it = waiters_.find(first + i);
    if (it == waiters_.end()) continue;
    it->second.done.set_value(refused);
    waiters_.erase(it);
  }
}

bool ReplicatedLog::LeaderReady() const {
  return ids_ready_ && first_command_index_ != 0 &&
         core_->applied_index() >= first_command_index_;
}

void ReplicatedLog::StartReads(std::vector<ReadRequest>& arrived) {
  for (ReadRequest& request : arrived) deferred_reads_.push_back(std::move(request));
  if (deferred_reads_.empty()) return;
  // A new leader serves reads once its first command is applied; other roles answer at once.
  if (role_ == raft::Role::kLeader && !core_->stopped() && !LeaderReady()) return;
  std::vector<ReadRequest> requests;
  requests.swap(deferred_reads_);
  for (ReadRequest& request : requests) {
    const uint64_t context = next_read_context_++;
    reads_[context] = Read{std::move(request.done)};
    Status started = core_->ReadIndex(context);
    if (started.ok()) continue;
    auto it = reads_.find(context);
    if (it == reads_.end()) continue;  // answered from inside the call
    it->second.done.set_value(started.code() == StatusCode::kNotLeader ? NotLeaderStatus()
                                                                       : started);
    reads_.erase(it);
  }
}

void ReplicatedLog::StartAdmin(std::vector<AdminRequest>& requests) {
  if (!requests.empty()) {
    DropLease();
    no_lease_before_ns_ = clock_->NowMonotonicNanos() +
                          int64_t{4} * options_.raft.election_timeout_ticks * options_.tick_ms *
                              1'000'000;
  }
  for (AdminRequest& request : requests) {
    Result<raft::LogIndex> index = request.run(*core_);
    if (!index.ok()) {
      request.done.set_value(index.status().code() == StatusCode::kNotLeader ? NotLeaderStatus()
                                                                             : index.status());
      continue;
    }
    if (*index == 0 || core_->applied_index() >= *index) {
      request.done.set_value(ApplyResult{});
      continue;
    }
    waiters_[*index] = Waiter{core_->term(), std::move(request.done)};
  }
}

void ReplicatedLog::ReleaseConfirmedReads() {
  const auto applied = static_cast<raft::LogIndex>(state_->Counters().applied_index);
  for (auto it = reads_.begin(); it != reads_.end();) {
    if (it->second.confirmed && it->second.read_index <= applied) {
      it->second.done.set_value(Status::Ok());
      it = reads_.erase(it);
    } else {
      ++it;
    }
  }
}

void ReplicatedLog::MaybeStartIdCursor() {
  if (ids_ready_ || role_ != raft::Role::kLeader || last_applied_term_ != term_) return;
  // An entry of this term is applied, so is every entry of earlier terms: their ids are in the
  // counters. (A group of one applies its leader's first entry before it hears of its role.)
  const MetaCounters counters = state_->Counters();
  ids_ = IdCursor{counters.next_inode, counters.next_chunk_id};
  ids_ready_ = true;
  LOG(kInfo, kComponent) << "leader of term " << term_ << " ready to propose after index "
                         << counters.applied_index;
}

void ReplicatedLog::DropLease() {
  if (lease_until_ns_.exchange(0, std::memory_order_acq_rel) > clock_->NowMonotonicNanos()) {
    LOG(kInfo, kComponent) << "master " << options_.id << " dropped its read lease";
  }
  renewal_context_ = 0;
}

void ReplicatedLog::MaybeRenewLease() {
  if (options_.lease_fraction <= 0 || renewal_context_ != 0) return;
  if (role_ != raft::Role::kLeader || core_->stopped() || !LeaderReady()) return;
  const int64_t now = clock_->NowMonotonicNanos();
  if (now < no_lease_before_ns_) return;
  const int64_t lease_ns = LeaseNanos();
  // Renew when half the lease is left, so that a steady reader never waits for a round.
  if (lease_until_ns_.load(std::memory_order_relaxed) - now > lease_ns / 2) return;
  // Set first: a group of one confirms the round inside the call.
  renewal_context_ = next_read_context_++;
  renewal_started_ns_ = now;
  if (!core_->ReadIndex(renewal_context_).ok()) renewal_context_ = 0;
}

void ReplicatedLog::OnApplied(const raft::LogEntry& entry, const Outcome* outcome) {
  last_applied_term_ = entry.term;
  MaybeStartIdCursor();
  auto it = waiters_.find(entry.index);
  if (it == waiters_.end()) return;
  if (it->second.term != entry.term) {
    it->second.done.set_value(Status::Unavailable(
        "the leadership changed before the request committed; its outcome is unknown"));
  } else if (outcome != nullptr) {
    it->second.done.set_value(*outcome);
  } else {
    it->second.done.set_value(ApplyResult{});
  }
  waiters_.erase(it);
}

void ReplicatedLog::FailWaiters(const Status& status) {
  for (auto& [index, waiter] : waiters_) waiter.done.set_value(status);
  waiters_.clear();
  for (auto& [context, read] : reads_) read.done.set_value(status);
  reads_.clear();
}

void ReplicatedLog::UpdatePeers() {
  const raft::Membership& membership = core_->membership();
  std::map<raft::NodeId, HostPort> peers;
  for (const auto* members : {&membership.voters, &membership.learners}) {
    for (const raft::Member& member : *members) {
      if (member.id == options_.id) continue;
      Result<HostPort> address = ParseHostPort(member.address);
      if (!address.ok()) {
        if (!peers_given_.contains(member.id)) {
          LOG(kError, kComponent) << "master " << member.id << " has an unusable address '"
                                  << member.address << "': " << address.status().ToString();
        }
        continue;
      }
      peers.emplace(member.id, *address);
    }
  }
  // Senders outside the configuration: a leader that is adding this master. Once the
  // configuration names them, it wins.
  std::erase_if(sender_addresses_, [&](const auto& entry) { return membership.Contains(entry.first); });
  for (const auto& [id, address] : sender_addresses_) {
    if (id != options_.id) peers.emplace(id, address);
  }
  if (peers == peers_given_) return;
  transport_->SetPeers(peers);
  peers_given_ = std::move(peers);
}

void ReplicatedLog::Publish() {
  GroupView view;
  view.id = options_.id;
  view.role = core_->role();
  view.term = core_->term();
  view.leader_id = core_->leader_id();
  view.leader_address = core_->leader_address();
  view.commit_index = core_->commit_index();
  view.last_index = core_->last_index();
  view.applied_index = core_->applied_index();
  view.snapshot_index = core_->snapshot_index();
  view.membership = core_->membership();
  view.peers = core_->Peers();
  view.counters = core_->counters();
  view.stopped = core_->stopped();
  view.leader_since_ns = leader_since_ns_;
  std::lock_guard lock(status_mu_);
  view_ = std::move(view);
}

void ReplicatedLog::OnRoleChanged(raft::Role role, raft::Term term, raft::NodeId leader) {
  const bool was_leader = role_ == raft::Role::kLeader;
  DropLease();
  if (!was_leader && role == raft::Role::kLeader) leader_since_ns_ = clock_->NowMonotonicNanos();
  role_ = role;
  term_ = term;
  LOG(kInfo, kComponent) << "master " << options_.id << " is " << raft::RoleName(role)
                         << " in term " << term << " (leader: "
                         << (leader == raft::kNoNode ? std::string("unknown")
                                                     : std::to_string(leader))
                         << ")";
  if (was_leader && role != raft::Role::kLeader) {
    ids_ready_ = false;
    first_command_index_ = 0;
    // Their entries may yet commit under the next leader; a retry with the same session is
    // answered from the session table either way.
    FailWaiters(Status::Unavailable("this master lost the leadership; the outcome is unknown"));
  }
}

void ReplicatedLog::OnReadIndexReady(uint64_t context, raft::LogIndex read_index) {
  if (context != 0 && context == renewal_context_) {
    renewal_context_ = 0;
    if (role_ == raft::Role::kLeader) {
      const int64_t previous = lease_until_ns_.load(std::memory_order_relaxed);
      lease_until_ns_.store(renewal_started_ns_ + LeaseNanos(), std::memory_order_release);
      if (previous < clock_->NowMonotonicNanos()) {
        LOG(kInfo, kComponent) << "master " << options_.id << " holds a read lease in term "
                               << term_ << " (" << LeaseNanos() / 1'000'000
                               << " ms, renewed while it leads)";
      }
    }
    return;
  }
  auto it = reads_.find(context);
  if (it == reads_.end()) return;
  it->second.confirmed = true;
  it->second.read_index = read_index;
}

void ReplicatedLog::OnReadIndexFailed(uint64_t context) {
  if (context != 0 && context == renewal_context_) {
    DropLease();
    return;
  }
  auto it = reads_.find(context);
  if (it == reads_.end()) return;
  it->second.done.set_value(Status::NotLeader(""));
  reads_.erase(it);
}

int64_t ReplicatedLog::LeaseNanos() const {
  return static_cast<int64_t>(options_.lease_fraction * options_.raft.election_timeout_ticks *
                              options_.tick_ms * 1e6);
}

void ReplicatedLog::OnStopped(const Status& status) {
  DropLease();
  LOG(kError, kComponent) << "master " << options_.id << " stopped its Raft node: "
                          << status.ToString();
  FailWaiters(Status::Unavailable("this master stopped after a storage failure"));
}

}  // namespace tessera::master
