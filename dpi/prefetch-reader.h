#ifndef FABRICSCOPE_DPI_PREFETCH_READER_H
#define FABRICSCOPE_DPI_PREFETCH_READER_H

#include "dpi/capture-reader.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace fab::dpi
{

/**
 * Reads a CaptureReader ahead on a thread of its own, so that reading the files (system calls,
 * copies, decompression) overlaps the analysis of what was read before. Packets travel in
 * batches: their bytes are copied into the batch's buffer, which a fixed ring of batches reuses,
 * so memory stays bounded and nothing is allocated per packet. The reader must not be used by
 * anyone else until this is destroyed (or Next has returned false), which joins the thread.
 */
class PrefetchReader
{
public:
    explicit PrefetchReader(CaptureReader& reader);
    ~PrefetchReader();

    PrefetchReader(const PrefetchReader&) = delete;
    PrefetchReader& operator=(const PrefetchReader&) = delete;

    /** As CaptureReader::Next: the bytes stay valid until the next call. What the reader
     *  throws is thrown here, once the packets read before it are delivered. */
    bool Next(CapturedPacket& packet);

private:
    struct Batch
    {
        std::vector<std::uint8_t> bytes;
        std::vector<CapturedPacket> packets;
        std::size_t used{0};
    };

    void Produce();
    void ProduceBatches();
    void Finish();

    CaptureReader& m_reader;
    std::vector<std::unique_ptr<Batch>> m_batches;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<Batch*> m_free;
    std::deque<Batch*> m_full;
    bool m_done{false};           // the producer has read everything
    bool m_stopping{false};       // the consumer went away early
    std::exception_ptr m_failure; // what the reader threw, thrown again by Next
    Batch* m_current{nullptr};
    std::size_t m_next{0};
    std::thread m_thread;
};

} // namespace fab::dpi

#endif
