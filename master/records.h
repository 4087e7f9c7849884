// Encoding of master records and log commands (Thrift binary protocol), with validation.
//
// Decode* never throws: bytes that do not parse, leave trailing garbage or hold impossible
// values (a negative inode, an unknown file type, a command union with not exactly one member)
// give kCorruption. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "gen-cpp/master_state_types.h"
#include "gen-cpp/tessera_types.h"

namespace tessera::master {

using master_state::ChunkRecord;
using master_state::DentryRecord;
using master_state::DrainingServerRecord;
using master_state::InodeRecord;
using master_state::LogCommand;
using master_state::MetaCommand;
using master_state::SessionRecord;
using master_state::UnlinkedInodeRecord;
using master_state::LockRecord;
using master_state::ExpiredMountRecord;
using master_state::BalanceRecord;

std::string EncodeInode(const InodeRecord& record);
std::string EncodeDentry(const DentryRecord& record);
std::string EncodeChunk(const ChunkRecord& record);
std::string EncodeCommand(const MetaCommand& command);
std::string EncodeLogCommand(const LogCommand& entry);
std::string EncodeSession(const SessionRecord& record);
std::string EncodeAttr(const rpc::Attr& attr);
std::string EncodeDrainingServer(const DrainingServerRecord& record);
std::string EncodeUnlinkedInode(const UnlinkedInodeRecord& record);
std::string EncodeBalance(const BalanceRecord& record);

Result<InodeRecord> DecodeInode(std::string_view bytes);
Result<DentryRecord> DecodeDentry(std::string_view bytes);
Result<ChunkRecord> DecodeChunk(std::string_view bytes);
Result<MetaCommand> DecodeCommand(std::string_view bytes);
// Also checks the session fields: client_id and sequence are both 0 or both > 0.
Result<LogCommand> DecodeLogCommand(std::string_view bytes);
Result<SessionRecord> DecodeSession(std::string_view bytes);
Result<rpc::Attr> DecodeAttr(std::string_view bytes);
Result<DrainingServerRecord> DecodeDrainingServer(std::string_view bytes);
Result<UnlinkedInodeRecord> DecodeUnlinkedInode(std::string_view bytes);
std::string EncodeLock(const LockRecord& record);
Result<LockRecord> DecodeLock(std::string_view bytes);
std::string EncodeExpiredMount(const ExpiredMountRecord& record);
Result<ExpiredMountRecord> DecodeExpiredMount(std::string_view bytes);
Result<BalanceRecord> DecodeBalance(std::string_view bytes);

// Number of members set in the union (a valid command has exactly one).
int CountCommandMembers(const MetaCommand& command);
// "mkdir", "rename", ... for log lines.
std::string_view CommandName(const MetaCommand& command);

bool IsValidFileType(int32_t type);
rpc::Attr ToAttr(const InodeRecord& record);

}  // namespace tessera::master
