#include "vm/libvirt_event_loop.h"

#include <libvirt/libvirt.h>

#include <mutex>

#include "vm/libvirt_error.h"

namespace novacron::vm {
namespace {

Status InitLibvirtOnce() {
  static std::once_flag once;
  static Status* init_status = nullptr;
  std::call_once(once, [] {
    init_status = new Status();  // never freed: libvirt is initialized for the process lifetime
    if (virInitialize() != 0) {
      *init_status = LastLibvirtError("libvirt initialize");
      return;
    }
    virSetErrorFunc(nullptr, IgnoreLibvirtError);
    if (virEventRegisterDefaultImpl() != 0) {
      *init_status = LastLibvirtError("libvirt register default event loop");
    }
  });
  return *init_status;
}

void WakeUp(int /*timer*/, void* /*opaque*/) {}

std::mutex loop_mutex;
std::weak_ptr<LibvirtEventLoop>* current_loop = new std::weak_ptr<LibvirtEventLoop>();

}  // namespace

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NOVACRON_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) || defined(NOVACRON_TSAN)
// libvirt and GLib (under libvirt's event loop) are not instrumented; GLib locks with raw futexes
// and recycles memory in its slice allocator, and libvirt hands objects between threads through
// it, so TSan misses those happens-before edges and reports races inside the libraries.
// Suppress only reports with a frame in them; our own code stays checked. In this file because
// every binary that runs the loop links it.
extern "C" const char* __tsan_default_suppressions() {  // NOLINT(bugprone-reserved-identifier)
  return "race:libglib-2.0.so\nrace:libvirt.so\n";
}
#endif

Result<std::shared_ptr<LibvirtEventLoop>> LibvirtEventLoop::Acquire() {
  NOVACRON_RETURN_IF_ERROR(InitLibvirtOnce());
  std::lock_guard lock(loop_mutex);
  if (std::shared_ptr<LibvirtEventLoop> loop = current_loop->lock()) return loop;
  std::shared_ptr<LibvirtEventLoop> loop(new LibvirtEventLoop());
  *current_loop = loop;
  return loop;
}

LibvirtEventLoop::LibvirtEventLoop() : thread_([this] { Run(); }) {}

void LibvirtEventLoop::Run() {
  while (!stop_.load(std::memory_order_acquire)) {
    if (virEventRunDefaultImpl() != 0) virResetLastError();
  }
}

LibvirtEventLoop::~LibvirtEventLoop() {
  stop_.store(true, std::memory_order_release);
  // A zero timeout fires on the next iteration, so virEventRunDefaultImpl returns and the thread
  // sees stop_. Adding it from this thread wakes a loop blocked in poll.
  int timer = virEventAddTimeout(0, WakeUp, nullptr, nullptr);
  thread_.join();
  if (timer >= 0) virEventRemoveTimeout(timer);
  virResetLastError();
}

}  // namespace novacron::vm
