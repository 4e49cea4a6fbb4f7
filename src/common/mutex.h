// An annotated mutex (leveldb's port::Mutex) so clang's -Wthread-safety can check GUARDED_BY.
#pragma once

#include <mutex>
#include <shared_mutex>

#if defined(__clang__)
#define QLRF_THREAD_ANNOTATION_(x) __attribute__((x))
#else
#define QLRF_THREAD_ANNOTATION_(x)
#endif

#define QLRF_GUARDED_BY(x) QLRF_THREAD_ANNOTATION_(guarded_by(x))
#define QLRF_LOCKABLE QLRF_THREAD_ANNOTATION_(capability("mutex"))
#define QLRF_SCOPED_LOCKABLE QLRF_THREAD_ANNOTATION_(scoped_lockable)
#define QLRF_ACQUIRE(...) QLRF_THREAD_ANNOTATION_(acquire_capability(__VA_ARGS__))
#define QLRF_RELEASE(...) QLRF_THREAD_ANNOTATION_(release_capability(__VA_ARGS__))

namespace qlrf {

class QLRF_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;
  void Lock() QLRF_ACQUIRE() { mu_.lock(); }
  void Unlock() QLRF_RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

// Usage:
//   MutexLock lock(&mu_);   // held until the end of the scope
class QLRF_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) QLRF_ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() QLRF_RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

}  // namespace qlrf
