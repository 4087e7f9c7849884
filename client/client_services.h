// ClientServices: the shared parts of one FileSystemImpl that its open files use. Plain
// references; FileSystemImpl owns every one of them and outlives its open files (the FUSE
// mount and the CLI destroy every OpenFile before the FileSystem).
#pragma once

#include "client/chunk_client.h"
#include "client/chunk_location_cache.h"
#include "client/file_system.h"
#include "client/master_connection.h"
#include "client/request_context.h"
#include "client/task_pool.h"
#include "common/clock.h"

namespace tessera::client {

struct ClientServices {
  const ClientOptions& options;
  MasterConnection& master;
  ChunkClient& chunks;
  ChunkLocationCache& locations;
  TaskPool& pool;
  RequestIdGenerator& request_ids;
  const Clock& clock;
};

}  // namespace tessera::client
