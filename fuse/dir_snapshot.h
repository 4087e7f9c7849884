// The listing of one directory as it was when opendir ran: the FUSE directory handle.
//
// opendir fetches every page from the master (kPageSize entries each) so that readdir is served
// by index offsets from memory. An offset therefore stays valid for the life of the handle even
// when entries are added or removed concurrently, which a name-based cursor over the live
// directory could not promise to seekdir/telldir users.
//
// With DirListing::kWithAttrs the entries also carry attributes (for readdirplus), as they were
// at loading time; attrs_loaded_at_ns() tells how old they are and mutations_at_load() whether
// this mount changed anything since (FileSystem::LocalMutationCount).
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
  // `now_ns` is the monotonic time before the first page is asked for.
  static Result<std::unique_ptr<DirSnapshot>> Load(client::FileSystem& fs,
                                                   const client::Caller& caller, int64_t inode,
                                                   client::DirListing listing, int64_t now_ns);

  const std::vector<rpc::DirEntry>& entries() const { return entries_; }
  // Monotonic time no later than the reading of any entry's attributes.
  int64_t attrs_loaded_at_ns() const { return attrs_loaded_at_ns_; }
  // The file system's LocalMutationCount() before the first page was asked for.
  uint64_t mutations_at_load() const { return mutations_at_load_; }

 private:
  DirSnapshot(std::vector<rpc::DirEntry> entries, int64_t attrs_loaded_at_ns,
              uint64_t mutations_at_load)
      : entries_(std::move(entries)),
        attrs_loaded_at_ns_(attrs_loaded_at_ns),
        mutations_at_load_(mutations_at_load) {}

  const std::vector<rpc::DirEntry> entries_;
  const int64_t attrs_loaded_at_ns_;
  const uint64_t mutations_at_load_;
};

}  // namespace tessera::fuse
