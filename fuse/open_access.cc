#include "fuse/open_access.h"

#include <fcntl.h>
#include <unistd.h>

namespace tessera::fuse {

int AccessMaskForOpen(int open_flags) {
  int mask = 0;
  switch (open_flags & O_ACCMODE) {
    case O_RDONLY:
      mask = R_OK;
      break;
    case O_WRONLY:
      mask = W_OK;
      break;
    default:
      mask = R_OK | W_OK;
      break;
  }
  if ((open_flags & O_TRUNC) != 0) mask |= W_OK;
  return mask;
}

}  // namespace tessera::fuse
