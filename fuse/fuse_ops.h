// The fuse_lowlevel_ops handlers, grouped by the file that implements them:
//   namespace_ops.cc  names and attributes (lookup ... statfs)
//   file_ops.cc       regular-file data (create, open, read, write, flush, release, fsync)
//   dir_ops.cc        directory listing (opendir, readdir, readdirplus, releasedir, fsyncdir)
//   link_ops.cc       names without data of their own (link, symlink, readlink, mknod)
//   xattr_ops.cc      extended attributes (setxattr, getxattr, listxattr, removexattr)
// Each handler sends exactly one reply per request (none for forget, as libfuse requires).
// Internal to tessera-mount; tessera_fuse.cc puts them in the operations table.
#pragma once

#include <fuse_lowlevel.h>
#include <sys/stat.h>

namespace tessera::fuse {

void LookupOp(fuse_req_t req, fuse_ino_t parent, const char* name);
void ForgetOp(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void ForgetMultiOp(fuse_req_t req, size_t count, fuse_forget_data* forgets);
void GetattrOp(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void SetattrOp(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi);
void MkdirOp(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode);
void UnlinkOp(fuse_req_t req, fuse_ino_t parent, const char* name);
void RmdirOp(fuse_req_t req, fuse_ino_t parent, const char* name);
void RenameOp(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t new_parent,
              const char* new_name, unsigned int flags);
void StatfsOp(fuse_req_t req, fuse_ino_t ino);

void CreateOp(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi);
void OpenOp(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void ReadOp(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset, fuse_file_info* fi);
void WriteOp(fuse_req_t req, fuse_ino_t ino, const char* buf, size_t size, off_t offset,
             fuse_file_info* fi);
void FlushOp(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void ReleaseOp(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void FsyncOp(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi);
// fallocate_ops.cc
void FallocateOp(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
                 fuse_file_info* fi);

void OpendirOp(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void ReaddirOp(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset, fuse_file_info* fi);
void ReaddirplusOp(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset,
                   fuse_file_info* fi);
void ReleasedirOp(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void FsyncdirOp(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi);

void LinkOp(fuse_req_t req, fuse_ino_t ino, fuse_ino_t new_parent, const char* new_name);
void SymlinkOp(fuse_req_t req, const char* target, fuse_ino_t parent, const char* name);
void ReadlinkOp(fuse_req_t req, fuse_ino_t ino);
void MknodOp(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev);
// access_ops.cc
void AccessOp(fuse_req_t req, fuse_ino_t ino, int mask);
void SetxattrOp(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size,
                int flags);
void GetxattrOp(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size);
void ListxattrOp(fuse_req_t req, fuse_ino_t ino, size_t size);
void RemovexattrOp(fuse_req_t req, fuse_ino_t ino, const char* name);
// lock_ops.cc
void GetlkOp(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock);
void SetlkOp(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock, int sleep);
void FlockOp(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, int op);

}  // namespace tessera::fuse
