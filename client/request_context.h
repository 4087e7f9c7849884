// Identities for master requests: who asks (Caller -> uid/gid/groups) and which request it is
// (client_id, sequence), plus short request ids that travel into log lines.
//
// Why sessions: the master remembers only the last reply per client id, so two mutating calls
// of one client id in flight at once could be mistaken for a retry of each other. A
// ClientSessionPool therefore hands each in-flight mutating call a session of its own: a random
// nonzero client id whose sequence goes up by one per request and is never used by two calls
// at once. A single-threaded process uses exactly one client id; concurrent callers use one id
// per concurrent call slot. A retry of the same request reuses its RequestContext unchanged.
//
// Thread-safety: every class here is thread-safe; each guards its state with its own mutex.
#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "client/file_system.h"
#include "gen-cpp/tessera_types.h"

namespace tessera::client {

// Short random ids ("3f9a0c1d2e4b") for log correlation.
class RequestIdGenerator {
 public:
  RequestIdGenerator();
  std::string Next();
  // A random nonzero 63-bit value (client ids are i64 on the wire and must be > 0).
  int64_t NextClientId();

 private:
  std::mutex mu_;  // guards rng_
  std::mt19937_64 rng_;
};

struct ClientSession {
  int64_t client_id = 0;
  int64_t last_sequence = 0;
};

class ClientSessionPool {
 public:
  explicit ClientSessionPool(RequestIdGenerator& ids) : ids_(ids) {}
  // Takes a session out of the pool (creating one when none is free) and advances its sequence.
  ClientSession Acquire();
  // Returns a session taken with Acquire.
  void Release(ClientSession session);

 private:
  RequestIdGenerator& ids_;
  std::mutex mu_;  // guards free_
  std::vector<ClientSession> free_;
};

// The wire context for one request. Read-only calls pass sequence 0: the master does not
// deduplicate them.
rpc::RequestContext MakeRequestContext(const Caller& caller, int64_t client_id, int64_t sequence,
                                       std::string request_id);

}  // namespace tessera::client
