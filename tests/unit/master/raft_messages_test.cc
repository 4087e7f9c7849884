// Raft messages cross the RPC edge unchanged, and a hostile one is refused.
#include "master/raft_messages.h"

#include <gtest/gtest.h>

namespace tessera::master {
namespace {

raft::Message FullMessage() {
  raft::Message message;
  message.type = raft::MessageType::kInstallSnapshot;
  message.from = 3;
  message.to = 1;
  message.term = 7;
  message.last_log_index = 40;
  message.last_log_term = 6;
  message.leadership_transfer = true;
  message.prev_log_index = 39;
  message.prev_log_term = 6;
  message.entries = {raft::LogEntry{.term = 7, .index = 40, .kind = raft::EntryKind::kNoop, .data = ""},
                     raft::LogEntry{.term = 7, .index = 41, .data = std::string("a\0b", 3)}};
  message.commit_index = 38;
  message.reject = true;
  message.match_index = 12;
  message.reject_index = 13;
  message.hint_index = 10;
  message.hint_term = 5;
  message.read_round = 99;
  message.snapshot.index = 30;
  message.snapshot.term = 6;
  message.snapshot.membership.voters = {{1, "127.0.0.1:1"}, {3, "127.0.0.1:3"}};
  message.snapshot.membership.learners = {{4, "127.0.0.1:4"}};
  message.offset = 1 << 20;
  message.data = "chunk";
  message.done = true;
  return message;
}

TEST(RaftMessagesTest, EveryFieldSurvivesTheRoundTrip) {
  const raft::Message message = FullMessage();
  Result<raft::Message> back = FromRpc(ToRpc(message));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->type, message.type);
  EXPECT_EQ(back->from, message.from);
  EXPECT_EQ(back->to, message.to);
  EXPECT_EQ(back->term, message.term);
  EXPECT_EQ(back->last_log_index, message.last_log_index);
  EXPECT_EQ(back->last_log_term, message.last_log_term);
  EXPECT_EQ(back->leadership_transfer, message.leadership_transfer);
  EXPECT_EQ(back->prev_log_index, message.prev_log_index);
  EXPECT_EQ(back->prev_log_term, message.prev_log_term);
  EXPECT_EQ(back->entries, message.entries);
  EXPECT_EQ(back->commit_index, message.commit_index);
  EXPECT_EQ(back->reject, message.reject);
  EXPECT_EQ(back->match_index, message.match_index);
  EXPECT_EQ(back->reject_index, message.reject_index);
  EXPECT_EQ(back->hint_index, message.hint_index);
  EXPECT_EQ(back->hint_term, message.hint_term);
  EXPECT_EQ(back->read_round, message.read_round);
  EXPECT_EQ(back->snapshot, message.snapshot);
  EXPECT_EQ(back->offset, message.offset);
  EXPECT_EQ(back->data, message.data);
  EXPECT_EQ(back->done, message.done);
}

TEST(RaftMessagesTest, MalformedMessagesAreRefused) {
  const rpc::RaftMessage good = ToRpc(FullMessage());
  std::vector<rpc::RaftMessage> bad(8, good);
  bad[0].type = 42;
  bad[1].from_id = 0;
  bad[2].term = -1;
  bad[3].entries[0].kind = 9;
  bad[4].entries[1].index = 0;
  bad[5].snapshot.membership.voters[0].id = -5;
  bad[6].offset = -1;
  bad[7].snapshot.membership.voters.resize(1000, good.snapshot.membership.voters[0]);
  for (size_t i = 0; i < bad.size(); ++i) {
    Result<raft::Message> message = FromRpc(bad[i]);
    EXPECT_FALSE(message.ok()) << "case " << i;
    if (!message.ok()) {
      EXPECT_EQ(message.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace tessera::master
