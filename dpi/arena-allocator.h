#ifndef FABRICSCOPE_DPI_ARENA_ALLOCATOR_H
#define FABRICSCOPE_DPI_ARENA_ALLOCATOR_H

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <sys/mman.h>
#include <type_traits>
#include <vector>

namespace fab::dpi
{

/**
 * Memory handed out in order from 2 MiB blocks and given back all at once: a flow table that
 * only grows allocates a block per few thousand flows instead of a node per flow.
 */
class Arena
{
public:
    /** A transparent huge page: one page fault maps a whole block. */
    static constexpr std::size_t kBlockBytes = 2u << 20;
    /** Requests up to this size come from the arena; larger ones from the heap. */
    static constexpr std::size_t kLargestBytes = 4096;

    Arena() = default;
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;
    ~Arena()
    {
        for (void* block : m_blocks)
        {
            std::free(block);
        }
    }

    void* Allocate(std::size_t bytes, std::size_t alignment)
    {
        std::size_t start = (m_used + alignment - 1) & ~(alignment - 1);
        if (m_blocks.empty() || start + bytes > kBlockBytes)
        {
            void* block = std::aligned_alloc(kBlockBytes, kBlockBytes);
            if (block == nullptr)
            {
                throw std::bad_alloc();
            }
            // Where the kernel gives huge pages on request only: a big table faults its
            // memory in 2 MiB at a time rather than 4 KiB, which costs a lot in a VM.
            ::madvise(block, kBlockBytes, MADV_HUGEPAGE);
            m_blocks.push_back(block);
            start = 0;
        }
        m_used = start + bytes;
        return static_cast<unsigned char*>(m_blocks.back()) + start;
    }

private:
    std::vector<void*> m_blocks;
    std::size_t m_used{0};
};

/** A standard allocator over a shared Arena; copies share it, the last one frees it. */
template <typename T>
class ArenaAllocator
{
public:
    using value_type = T;
    using propagate_on_container_move_assignment = std::true_type;
    using propagate_on_container_swap = std::true_type;
    using propagate_on_container_copy_assignment = std::true_type;
    using is_always_equal = std::false_type;

    ArenaAllocator()
    : m_arena(std::make_shared<Arena>())
    {
    }

    template <typename U>
    ArenaAllocator(const ArenaAllocator<U>& other) noexcept
    : m_arena(other.m_arena)
    {
    }

    T* allocate(std::size_t n)
    {
        if (n * sizeof(T) <= Arena::kLargestBytes)
        {
            return static_cast<T*>(m_arena->Allocate(n * sizeof(T), alignof(T)));
        }
        return std::allocator<T>().allocate(n);
    }

    void deallocate(T* pointer, std::size_t n) noexcept
    {
        if (n * sizeof(T) > Arena::kLargestBytes)
        {
            std::allocator<T>().deallocate(pointer, n);
        }
    }

    template <typename U>
    bool operator==(const ArenaAllocator<U>& other) const noexcept
    {
        return m_arena == other.m_arena;
    }
    template <typename U>
    bool operator!=(const ArenaAllocator<U>& other) const noexcept
    {
        return m_arena != other.m_arena;
    }

private:
    template <typename U>
    friend class ArenaAllocator;
    std::shared_ptr<Arena> m_arena;
};

} // namespace fab::dpi

#endif
