# Configures, builds and tests a Debug tree with ASan + UBSan (the examples run in the optimized
# tree only: they are thin shells over the library, whose tests run here).
# Usage: cmake -DSOURCE_DIR=... -DBUILD_DIR=... [-DEXTERNAL_CAPTURES=DIR] -P sanitizer-tests.cmake
cmake_host_system_information(RESULT cores QUERY NUMBER_OF_LOGICAL_CORES)
function(step)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "sanitizer step failed (${rc}): ${ARGN}")
    endif()
endfunction()
step(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${BUILD_DIR} -DCMAKE_BUILD_TYPE=Debug -DFABRICSCOPE_SANITIZE=ON
     -DFABRICSCOPE_SANITIZER_TESTS=OFF -DFABRICSCOPE_BENCHMARKS=OFF -DFABRICSCOPE_EXAMPLES=OFF
     "-DFABRICSCOPE_CATCH_FILTER=~[slow]" "-DFABRICSCOPE_EXTERNAL_CAPTURES=${EXTERNAL_CAPTURES}")
step(${CMAKE_COMMAND} --build ${BUILD_DIR} -j ${cores})
set(ENV{ASAN_OPTIONS} "detect_leaks=1:abort_on_error=0:halt_on_error=1")
set(ENV{UBSAN_OPTIONS} "print_stacktrace=1:halt_on_error=1")
step(${CMAKE_CTEST_COMMAND} --test-dir ${BUILD_DIR} --output-on-failure -j ${cores})
