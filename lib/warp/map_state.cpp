// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/warp/map_state.hpp>

#include <cstdint>
#include <new>

#if defined(__linux__)
#    include <sys/mman.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#    include <sanitizer/asan_interface.h>
#    define SWIM_ARENA_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#    define SWIM_ARENA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#    define SWIM_ARENA_HUGE_BLOCKS 0  // (poisoned pages would stay poisoned once unmapped)
#else
#    define SWIM_ARENA_POISON(p, n) ((void)(p), (void)(n))
#    define SWIM_ARENA_UNPOISON(p, n) ((void)(p), (void)(n))
#    define SWIM_ARENA_HUGE_BLOCKS 1
#endif

namespace swim::warp {

namespace {

constexpr std::size_t huge_bytes = std::size_t(2) << 20;
constexpr std::size_t align = alignof(std::max_align_t);

constexpr std::size_t round_up(std::size_t n) noexcept
{
    return (n + align - 1) / align * align;
}

/// A 2 MiB block on a 2 MiB boundary, which the kernel may back with one huge page (one page
/// fault instead of 512); nullptr where that cannot be had (the caller uses operator new).
void* map_huge_block() noexcept
{
#if defined(__linux__) && defined(MADV_HUGEPAGE) && SWIM_ARENA_HUGE_BLOCKS
    void* p =
        ::mmap(nullptr, 2 * huge_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return nullptr;
    auto const start = reinterpret_cast<std::uintptr_t>(p);
    auto const at = (start + huge_bytes - 1) & ~(huge_bytes - 1);
    if (at > start)
        ::munmap(p, at - start);
    if (auto const end = start + 2 * huge_bytes; end > at + huge_bytes)
        ::munmap(reinterpret_cast<void*>(at + huge_bytes), end - at - huge_bytes);
    ::madvise(reinterpret_cast<void*>(at), huge_bytes, MADV_HUGEPAGE);  // (a hint: may fail)
    return reinterpret_cast<void*>(at);
#else
    return nullptr;
#endif
}

void unmap_huge_block(void* p) noexcept
{
#if defined(__linux__) && defined(MADV_HUGEPAGE) && SWIM_ARENA_HUGE_BLOCKS
    ::munmap(p, huge_bytes);
#else
    (void)p;
#endif
}

}  // namespace

struct node_arena::block {
    block* next;
    std::size_t bytes;
    char* cursor;  ///< the first byte never handed out
    char* end;
    bool mapped;
};

node_arena::~node_arena()
{
    release();
}

void* node_arena::allocate(std::size_t bytes)
{
    if (node_ == 0 && bytes >= sizeof(void*))
        node_ = bytes;
    if (bytes != node_)
        return ::operator new(bytes);
    void* p = free_;
    if (p != nullptr) {
        SWIM_ARENA_UNPOISON(p, node_);  // (under ASan a free node cannot be read or written)
        free_ = *static_cast<void**>(p);
    } else {
        // Nodes never used are cut in turn from the newest block: its memory is first touched
        // by the node that uses it.
        std::size_t const stride = round_up(node_);
        if (blocks_ == nullptr || std::size_t(blocks_->end - blocks_->cursor) < stride)
            grow();
        p = blocks_->cursor;
        blocks_->cursor += stride;
        SWIM_ARENA_UNPOISON(p, node_);
    }
    ++live_;
    return p;
}

void node_arena::deallocate(void* p, std::size_t bytes) noexcept
{
    if (bytes != node_) {
        ::operator delete(p);
        return;
    }
    *static_cast<void**>(p) = free_;
    free_ = p;
    SWIM_ARENA_POISON(p, node_);
    if (--live_ == 0)
        release();  // (an emptied map gives all its memory back)
}

void node_arena::grow()
{
    std::size_t const stride = round_up(node_);
    std::size_t const head = round_up(sizeof(block));
    std::size_t bytes = head + next_nodes_ * stride;
    void* raw = nullptr;
    bool mapped = false;
    if (bytes >= huge_bytes) {
        raw = map_huge_block();
        mapped = raw != nullptr;
        bytes = huge_bytes;
    } else {
        next_nodes_ *= 2;
    }
    if (raw == nullptr)
        raw = ::operator new(bytes);
    char* const first = static_cast<char*>(raw) + head;
    std::size_t const n = (bytes - head) / stride;
    blocks_ = ::new (raw) block{blocks_, bytes, first, first + n * stride, mapped};
    held_ += bytes;
    SWIM_ARENA_POISON(first, n * stride);
}

void node_arena::release() noexcept
{
    while (blocks_ != nullptr) {
        block* const b = blocks_;
        blocks_ = b->next;
        SWIM_ARENA_UNPOISON(b, b->bytes);
        if (b->mapped)
            unmap_huge_block(b);
        else
            ::operator delete(b);
    }
    free_ = nullptr;
    held_ = 0;
    next_nodes_ = 4;
}

map_state::iterator position_of(map_state& m, recon::value const& key)
{
    if (m.empty() || std::prev(m.end())->first < key)
        return m.end();
    return m.lower_bound(key);
}

}  // namespace swim::warp
