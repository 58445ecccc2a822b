#ifndef FABRICSCOPE_TESTS_DAG_MAKESPAN_H
#define FABRICSCOPE_TESTS_DAG_MAKESPAN_H

#include "traffic/model/transfer-dag.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace fab::tests
{

/** Makespan in steps if every transfer takes one unit after all its dependencies. */
inline std::uint32_t
Makespan(const traffic::TransferDag& dag)
{
    std::vector<std::uint32_t> finish(dag.transfers.size(), 0);
    std::uint32_t makespan = 0;
    for (const auto& t : dag.transfers)
    {
        std::uint32_t start = 0;
        for (auto d : t.dependsOn)
        {
            start = std::max(start, finish[d]);
        }
        finish[t.id] = start + 1;
        makespan = std::max(makespan, finish[t.id]);
    }
    return makespan;
}

} // namespace fab::tests

#endif
