#include "common/rpc_server.h"

#include <thrift/server/TServer.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/protocol/TBinaryProtocol.h>

#include "common/logging.h"
#include "common/rpc_transport.h"

namespace tessera {

using apache::thrift::TProcessorFactory;
using apache::thrift::protocol::TBinaryProtocolFactory;
using apache::thrift::server::TServerEventHandler;
using apache::thrift::server::TThreadedServer;
using apache::thrift::transport::TFramedTransport;
using apache::thrift::transport::TTransport;
using apache::thrift::transport::TTransportFactory;

namespace {

// Framed transports with Tessera's frame cap for accepted connections.
class FramedTransportFactory : public TTransportFactory {
 public:
  std::shared_ptr<TTransport> getTransport(std::shared_ptr<TTransport> trans) override {
    return MakeFramedTransport(std::move(trans));
  }
};

}  // namespace

// Tells Start() that the socket is listening.
class RpcServer::ReadyHandler : public TServerEventHandler {
 public:
  explicit ReadyHandler(RpcServer* owner) : owner_(owner) {}
  void preServe() override {
    std::lock_guard lock(owner_->mu_);
    owner_->listening_ = true;
    owner_->state_changed_.notify_all();
  }

 private:
  RpcServer* owner_;
};

RpcServer::RpcServer(std::shared_ptr<TProcessorFactory> processor_factory, HostPort listen)
    : listen_(std::move(listen)), processor_factory_(std::move(processor_factory)) {}

RpcServer::~RpcServer() { Stop(); }

Status RpcServer::Start() {
  auto socket = std::make_shared<BudgetResettingServerSocket>(listen_.host, listen_.port);
  // Each accepted connection may block in a read; Stop() must be able to interrupt them.
  socket->setInterruptableChildren(true);
  auto protocol_factory = std::make_shared<TBinaryProtocolFactory>(
      kMaxStringBytes, kMaxContainerElements, /*strict_read=*/true, /*strict_write=*/true);
  server_ = std::make_shared<TThreadedServer>(processor_factory_, socket,
                                              std::make_shared<FramedTransportFactory>(),
                                              protocol_factory);
  server_->setServerEventHandler(std::make_shared<ReadyHandler>(this));
  serve_thread_ = std::thread([this] {
    Status result;
    try {
      server_->serve();
    } catch (const std::exception& e) {
      result = Status::Unavailable("cannot serve on " + listen_.ToString() + ": " + e.what());
    }
    std::lock_guard lock(mu_);
    finished_ = true;
    serve_error_ = result;
    state_changed_.notify_all();
  });
  std::unique_lock lock(mu_);
  state_changed_.wait(lock, [this] { return listening_ || finished_; });
  if (!listening_) {
    Status error = serve_error_.ok() ? Status::Unavailable("server stopped before listening")
                                     : serve_error_;
    lock.unlock();
    serve_thread_.join();
    return error;
  }
  LOG(kInfo, "rpc") << "listening on " << listen_.ToString();
  return Status::Ok();
}

void RpcServer::Stop() {
  if (!serve_thread_.joinable()) return;
  server_->stop();
  serve_thread_.join();
}

}  // namespace tessera
