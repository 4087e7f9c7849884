// The listing of one directory as it was when opendir ran: the FUSE directory handle.
//
// opendir fetches every page from the master (kPageSize entries each) so that readdir is served
// by index offsets from memory. An offset therefore stays valid for the life of the handle even
// when entries are added or removed concurrently, which a name-based cursor over the live
// directory could not promise to seekdir/telldir users.
//
// Ownership: created by opendir, owned through fuse_file_info::fh until releasedir deletes it.
// Thread-safety: immutable after Load, so concurrent readers need no lock.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "client/file_system.h"
#include "common/status.h"
#include "gen-cpp/tessera_types.h"

namespace tessera::fuse {

class DirSnapshot {
 public:
  static constexpr int kPageSize = 1000;

  // Entries of `inode`, preceded by "." and "..". The master does not tell a directory's
  // parent, so ".." carries the directory's own inode number; programs resolve ".." by path
  // (the kernel does it), never by this number.
  static Result<std::unique_ptr<DirSnapshot>> Load(client::FileSystem& fs,
                                                   const client::Caller& caller, int64_t inode);

  const std::vector<rpc::DirEntry>& entries() const { return entries_; }

 private:
  explicit DirSnapshot(std::vector<rpc::DirEntry> entries) : entries_(std::move(entries)) {}

  const std::vector<rpc::DirEntry> entries_;
};

}  // namespace tessera::fuse
