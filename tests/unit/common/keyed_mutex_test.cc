#include "common/keyed_mutex.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

namespace tessera {
namespace {

using namespace std::chrono_literals;

TEST(KeyedMutexTest, SecondLockerOfOneKeyWaitsForTheFirst) {
  KeyedMutex locks;
  std::promise<void> second_got_it;
  std::future<void> got = second_got_it.get_future();
  std::thread second;
  {
    KeyedMutex::Guard first = locks.Lock(7);
    second = std::thread([&] {
      KeyedMutex::Guard guard = locks.Lock(7);
      second_got_it.set_value();
    });
    // The second locker must still be blocked while the first guard lives.
    EXPECT_EQ(got.wait_for(100ms), std::future_status::timeout);
  }
  EXPECT_EQ(got.wait_for(10s), std::future_status::ready);
  second.join();
}

TEST(KeyedMutexTest, DifferentKeysDoNotBlockEachOther) {
  KeyedMutex locks;
  KeyedMutex::Guard first = locks.Lock(1);
  std::future<void> other =
      std::async(std::launch::async, [&] { KeyedMutex::Guard g = locks.Lock(2); });
  EXPECT_EQ(other.wait_for(10s), std::future_status::ready);
}

TEST(KeyedMutexTest, KeysAreForgottenWhenTheLastUserLeaves) {
  KeyedMutex locks;
  {
    KeyedMutex::Guard a = locks.Lock(1);
    KeyedMutex::Guard b = locks.Lock(2);
    EXPECT_EQ(locks.KeysInUse(), 2u);
  }
  EXPECT_EQ(locks.KeysInUse(), 0u);
}

TEST(KeyedMutexTest, CountsUnderContentionStayExact) {
  KeyedMutex locks;
  int counter = 0;  // guarded by key 5
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        KeyedMutex::Guard guard = locks.Lock(5);
        int seen = counter;
        counter = seen + 1;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counter, 8000);
  EXPECT_EQ(locks.KeysInUse(), 0u);
}

}  // namespace
}  // namespace tessera
