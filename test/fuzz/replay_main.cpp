// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// A main() for the fuzz targets in the ordinary (g++) test build: runs LLVMFuzzerTestOneInput
// once on every file under the directories (or on the files) given, so the seed corpora and
// the recorded crashes (test/fuzz/crashes/<target>/) are regression tests. Missing directories
// are skipped; finding no input at all is an error. A failing input crashes (__builtin_trap)
// after its path has been printed.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size);

namespace fs = std::filesystem;

int main(int argc, char** argv)
{
    std::vector<fs::path> inputs;
    for (int i = 1; i < argc; ++i) {
        fs::path arg(argv[i]);
        std::error_code ec;
        if (fs::is_regular_file(arg, ec)) {
            inputs.push_back(arg);
        } else if (fs::is_directory(arg, ec)) {
            for (auto const& e : fs::recursive_directory_iterator(arg))
                if (e.is_regular_file() && e.path().extension() != ".md")
                    inputs.push_back(e.path());
        } else {
            std::printf("skipping %s (not found)\n", argv[i]);
        }
    }
    if (inputs.empty()) {
        std::fprintf(stderr, "no inputs found\n");
        return 1;
    }
    std::sort(inputs.begin(), inputs.end());
    for (auto const& p : inputs) {
        std::printf("%s\n", p.string().c_str());
        std::fflush(stdout);
        std::ifstream in(p, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (!in.good() && !in.eof()) {
            std::fprintf(stderr, "cannot read %s\n", p.string().c_str());
            return 1;
        }
        // Copy into an exact-size buffer, as libFuzzer does, so overreads are caught.
        std::vector<std::uint8_t> buf(bytes.begin(), bytes.end());
        LLVMFuzzerTestOneInput(buf.data(), buf.size());
    }
    std::printf("%zu inputs ran\n", inputs.size());
    return 0;
}
