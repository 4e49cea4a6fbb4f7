# qlrf_library / qlrf_test / qlrf_fuzz / qlrf_bench: keep every folder alike (STYLE.md §2).

set(QLRF_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Wnull-dereference -Wimplicit-fallthrough
    # Designated initializers leave defaulted fields out on purpose; g++ 12 reports false
    # "maybe-uninitialized" positives inside std::variant at -O2.
    -Wno-missing-field-initializers $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)

function(qlrf_apply_flags target)
  target_compile_options(${target} PRIVATE ${QLRF_WARNINGS})
  if(QLRF_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  # Asio/Beast are header-only; no deprecated Asio APIs.
  target_compile_definitions(${target} PRIVATE BOOST_ASIO_NO_DEPRECATED)
endfunction()

# qlrf_library(NAME x SRCS ... DEPS ... [PCH header...])
function(qlrf_library)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS;PCH" ${ARGN})
  add_library(qlrf_${A_NAME} STATIC ${A_SRCS})
  target_include_directories(qlrf_${A_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src ${PROJECT_BINARY_DIR}/src)
  target_link_libraries(qlrf_${A_NAME} PUBLIC ${A_DEPS})
  qlrf_apply_flags(qlrf_${A_NAME})
  if(QLRF_PCH AND A_PCH)
    target_precompile_headers(qlrf_${A_NAME} PRIVATE ${A_PCH})
  endif()
endfunction()

# qlrf_test(NAME x SRCS ... DEPS ... [LABELS unit|pg|...] [PCH ...])
function(qlrf_test)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS;LABELS;PCH;FIXTURES" ${ARGN})
  add_executable(${A_NAME} ${A_SRCS})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS} GTest::gmock GTest::gtest_main)
  qlrf_apply_flags(${A_NAME})
  target_compile_definitions(${A_NAME} PRIVATE QLRF_CONFORMANCE_DIR="${QLRF_CONFORMANCE_DIR}"
                             QLRF_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  if(QLRF_PCH AND A_PCH)
    target_precompile_headers(${A_NAME} PRIVATE ${A_PCH})
  endif()
  if(NOT A_LABELS)
    set(A_LABELS unit)
  endif()
  add_test(NAME ${A_NAME} COMMAND ${A_NAME} --gtest_color=no)
  set_tests_properties(${A_NAME} PROPERTIES LABELS "${A_LABELS}" TIMEOUT 600)
  if(A_FIXTURES)
    set_tests_properties(${A_NAME} PROPERTIES FIXTURES_REQUIRED "${A_FIXTURES}")
  endif()
endfunction()

# qlrf_fuzz(NAME x SRCS ... DEPS ... CORPUS dir...)
# With QLRF_FUZZ (clang) it builds a libFuzzer binary; otherwise it links a replay main that
# runs every file of the corpus, and registers that as a test (label fuzz-replay).
function(qlrf_fuzz)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS;CORPUS" ${ARGN})
  if(QLRF_FUZZ)
    add_executable(${A_NAME} ${A_SRCS})
    target_compile_options(${A_NAME} PRIVATE -fsanitize=fuzzer)
    target_link_options(${A_NAME} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(${A_NAME} PRIVATE ${A_DEPS})
  else()
    add_executable(${A_NAME} ${A_SRCS} ${PROJECT_SOURCE_DIR}/src/testing/fuzz_replay_main.cc)
    target_link_libraries(${A_NAME} PRIVATE ${A_DEPS})
    add_test(NAME ${A_NAME}_replay COMMAND ${A_NAME} ${A_CORPUS})
    set_tests_properties(${A_NAME}_replay PROPERTIES LABELS "unit;fuzz-replay" TIMEOUT 600)
  endif()
  qlrf_apply_flags(${A_NAME})
endfunction()

function(qlrf_bench)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS" ${ARGN})
  if(NOT benchmark_FOUND)
    return()
  endif()
  add_executable(${A_NAME} ${A_SRCS})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS} benchmark::benchmark)
  qlrf_apply_flags(${A_NAME})
  target_compile_definitions(${A_NAME} PRIVATE QLRF_CONFORMANCE_DIR="${QLRF_CONFORMANCE_DIR}")
endfunction()
