#include "fuse/dir_snapshot.h"

#include <string>
#include <utility>

namespace tessera::fuse {
namespace {

rpc::DirEntry MakeEntry(std::string name, int64_t inode) {
  rpc::DirEntry entry;
  entry.name = std::move(name);
  entry.inode = inode;
  entry.type = rpc::FileType::DIRECTORY;
  return entry;
}

}  // namespace

Result<std::unique_ptr<DirSnapshot>> DirSnapshot::Load(client::FileSystem& fs,
                                                       const client::Caller& caller, int64_t inode,
                                                       client::DirListing listing, int64_t now_ns) {
  const uint64_t mutations_at_load = fs.LocalMutationCount();
  std::vector<rpc::DirEntry> entries;
  entries.push_back(MakeEntry(".", inode));
  entries.push_back(MakeEntry("..", inode));
  std::string after_name;
  while (true) {
    ASSIGN_OR_RETURN(rpc::ReaddirReply page,
                     fs.ReadDir(caller, inode, after_name, kPageSize, listing));
    if (page.entries.empty()) {
      if (!page.eof) {
        // A page with no entries that is not the end would make us ask the same question
        // forever; report the master's answer as broken instead.
        return Status::Internal("readdir of inode " + std::to_string(inode) +
                                " returned an empty page without eof");
      }
      break;
    }
    const std::string& last_name = page.entries.back().name;
    if (last_name <= after_name) {
      // Pages must move forward in name order (IDL); anything else would loop.
      return Status::Internal("readdir of inode " + std::to_string(inode) +
                              " did not advance past '" + after_name + "'");
    }
    after_name = last_name;
    for (rpc::DirEntry& entry : page.entries) entries.push_back(std::move(entry));
    if (page.eof) break;
  }
  return std::unique_ptr<DirSnapshot>(
      new DirSnapshot(std::move(entries), now_ns, mutations_at_load));
}

}  // namespace tessera::fuse
