#include "telemetry/model/text-format.h"

#include <catch2/catch.hpp>
#include <string>

using namespace fab::telemetry;

TEST_CASE("text for a terminal: controls and broken UTF-8 escaped", "[telemetry][text]")
{
    auto [raw, escaped] = GENERATE(table<std::string, std::string>({
        {"plain leaf-0-0:63", "plain leaf-0-0:63"},
        {"red \x1b[31mALERT\x1b[0m", "red \\x1b[31mALERT\\x1b[0m"},
        {"bell\x07 del\x7f", "bell\\x07 del\\x7f"},
        {std::string("nul\0byte", 8), "nul\\x00byte"},
        {"two\nlines\r\ttab", "two\\nlines\\r\\ttab"},
        {"c1 \xc2\x9b"
         "2J",
         "c1 \\u009b2J"}, // U+009B: 8-bit CSI
        {"rtl \xe2\x80\xae"
         "txt.exe",
         "rtl \\u202etxt.exe"}, // right-to-left override
        {"zero\xe2\x80\x8bwidth", "zero\\u200bwidth"},
        {"bom\xef\xbb\xbf", "bom\\ufeff"},
        {"bad \xff\xfe", "bad \\xff\\xfe"},
        {"cut \xe2\x82", "cut \\xe2\\x82"}, // sequence cut short
        {"overlong \xc0\xaf", "overlong \\xc0\\xaf"},
        {"surrogate \xed\xa0\x80", "surrogate \\xed\\xa0\\x80"},
        {"past unicode \xf4\x90\x80\x80", "past unicode \\xf4\\x90\\x80\\x80"},
        {"stray continuation \x80", "stray continuation \\x80"},
        {"dp \xc3\x97 tp, caf\xc3\xa9, \xe2\x89\xa4 1 \xf0\x9f\x9a\x80",
         "dp \xc3\x97 tp, caf\xc3\xa9, \xe2\x89\xa4 1 \xf0\x9f\x9a\x80"}, // printable UTF-8 stays
        {"back\\slash \\x1b", "back\\slash \\x1b"},
    }));
    INFO(escaped);
    REQUIRE(EscapeForTerminal(raw) == escaped);
    // Escaping twice changes nothing: messages built from escaped messages stay readable.
    REQUIRE(EscapeForTerminal(escaped) == escaped);
}

TEST_CASE("every byte value leaves printable text", "[telemetry][text]")
{
    for (int b = 0; b < 256; ++b)
    {
        std::string text = "x" + std::string(1, static_cast<char>(b)) + "y";
        std::string out = EscapeForTerminal(text);
        INFO(b);
        for (unsigned char c : out)
        {
            REQUIRE((c >= 0x20 && c < 0x7F));
        }
    }
}
