#include "master/client_sessions.h"

#include <string>

#include "master/keys.h"
#include "master/records.h"

namespace tessera::master {

Result<std::optional<Result<ApplyResult>>> FindDecidedRequest(const MetaStore& store,
                                                              int64_t client_id, int64_t sequence) {
  using Decided = std::optional<Result<ApplyResult>>;
  ASSIGN_OR_RETURN(std::optional<SessionRecord> session, store.GetSession(client_id));
  if (!session || session->sequence < sequence) return Decided();
  if (session->sequence > sequence) {
    return Decided(Status::InvalidArgument(
        "request " + std::to_string(sequence) + " of client " + std::to_string(client_id) +
        " was superseded by request " + std::to_string(session->sequence)));
  }
  const auto code = static_cast<StatusCode>(session->status_code);
  if (code != StatusCode::kOk) return Decided(Status(code, session->status_message));
  ApplyResult reply;
  if (session->__isset.attr) {
    ASSIGN_OR_RETURN(rpc::Attr attr, DecodeAttr(session->attr));
    reply.attr = std::move(attr);
  }
  if (session->__isset.chunk) reply.chunk = session->chunk;
  reply.chunk_created = session->chunk_created;
  return Decided(std::move(reply));
}

void RecordReply(leveldb::WriteBatch* batch, int64_t client_id, int64_t sequence,
                 const Result<ApplyResult>& outcome) {
  SessionRecord record;
  record.sequence = sequence;
  record.status_code = static_cast<int32_t>(outcome.status().code());
  if (!outcome.ok()) {
    record.status_message = outcome.status().message();
  } else {
    // Freed chunk ids are not kept: the first application scheduled their deletion.
    if (outcome->attr) record.__set_attr(EncodeAttr(*outcome->attr));
    if (outcome->chunk) record.__set_chunk(*outcome->chunk);
    record.chunk_created = outcome->chunk_created;
  }
  batch->Put(SessionKey(client_id), EncodeSession(record));
}

}  // namespace tessera::master
