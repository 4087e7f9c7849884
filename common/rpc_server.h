// A Thrift server on its own threads: one acceptor thread owned by RpcServer, and one thread per
// connection owned by Thrift's TThreadedServer.
//
// Start() returns once the port is bound (or the Status saying why it could not be); Stop() stops
// accepting, interrupts open connections and joins every thread. Not copyable; Stop() is called
// by the destructor.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include <thrift/TProcessor.h>
#include <thrift/server/TThreadedServer.h>

#include "common/address.h"
#include "common/status.h"

namespace tessera {

class RpcServer {
 public:
  RpcServer(std::shared_ptr<apache::thrift::TProcessorFactory> processor_factory, HostPort listen);
  ~RpcServer();
  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;

  Status Start();
  void Stop();

 private:
  class ReadyHandler;

  HostPort listen_;
  std::shared_ptr<apache::thrift::TProcessorFactory> processor_factory_;
  std::shared_ptr<apache::thrift::server::TThreadedServer> server_;
  std::thread serve_thread_;

  std::mutex mu_;  // guards the three fields below
  std::condition_variable state_changed_;
  bool listening_ = false;
  bool finished_ = false;
  Status serve_error_;
};

}  // namespace tessera
