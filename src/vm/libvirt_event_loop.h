// Process-wide libvirt setup and the one thread that runs libvirt's default event loop, which
// delivers domain events and keeps remote connections alive. The loop runs while some driver
// holds a reference to it.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "common/status.h"

namespace novacron::vm {

class LibvirtEventLoop {
 public:
  // Initializes libvirt once per process (no stderr error printing, the default event
  // implementation, which must exist before the first connection is opened) and returns the
  // running loop, starting its thread when no one else holds it.
  static Result<std::shared_ptr<LibvirtEventLoop>> Acquire();

  // Wakes the loop with a zero timeout and joins the thread: no libvirt callback runs on it
  // after this returns.
  ~LibvirtEventLoop();

  LibvirtEventLoop(const LibvirtEventLoop&) = delete;
  LibvirtEventLoop& operator=(const LibvirtEventLoop&) = delete;

 private:
  LibvirtEventLoop();
  void Run();

  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace novacron::vm
