#include "client/request_context.h"

#include <cstdio>

namespace tessera::client {

RequestIdGenerator::RequestIdGenerator() : rng_(std::random_device{}()) {}

std::string RequestIdGenerator::Next() {
  uint64_t value;
  {
    std::lock_guard lock(mu_);
    value = rng_();
  }
  char text[13];
  std::snprintf(text, sizeof(text), "%012llx",
                static_cast<unsigned long long>(value & 0xffffffffffffULL));
  return text;
}

int64_t RequestIdGenerator::NextClientId() {
  std::lock_guard lock(mu_);
  int64_t id = 0;
  while (id == 0) id = static_cast<int64_t>(rng_() >> 1);
  return id;
}

ClientSession ClientSessionPool::Acquire() {
  ClientSession session;
  {
    std::lock_guard lock(mu_);
    if (!free_.empty()) {
      session = free_.back();
      free_.pop_back();
    }
  }
  if (session.client_id == 0) session.client_id = ids_.NextClientId();
  ++session.last_sequence;
  return session;
}

void ClientSessionPool::Release(ClientSession session) {
  std::lock_guard lock(mu_);
  free_.push_back(session);
}

rpc::RequestContext MakeRequestContext(const Caller& caller, int64_t client_id, int64_t sequence,
                                       std::string request_id) {
  rpc::RequestContext ctx;
  ctx.client_id = client_id;
  ctx.sequence = sequence;
  ctx.uid = static_cast<int32_t>(caller.uid);
  ctx.gid = static_cast<int32_t>(caller.gid);
  ctx.groups.reserve(caller.groups.size());
  for (uint32_t group : caller.groups) ctx.groups.push_back(static_cast<int32_t>(group));
  ctx.request_id = std::move(request_id);
  return ctx;
}

}  // namespace tessera::client
