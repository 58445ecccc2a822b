#include "dpi/byte-reader.h"

namespace fab::dpi
{

static_assert(sizeof(std::uint32_t) == 4, "ByteReader loads fixed-width fields");

} // namespace fab::dpi
