# Precompiled headers for the targets whose sources spend most of their compile time parsing the
# same third-party headers: Boost.Asio/Beast (the broker and the collector), spdlog/fmt (through
# base/log.h), simdjson and <filesystem> (the lander and the lake) and CLI11 (the subcommands).
# A fresh `build.sh --run` takes about 9% less CPU time with them (README, Development).
#
# EL_PCH is off by default: the saving is small (most of the time is code generation, not header
# parsing), it needs three GCC warnings off (below), and ccache does not cache compilations that use
# a precompiled header unless told to (sloppiness pch_defines,time_macros). Sources include what
# they use, so both settings build.
set(el_pch_default OFF)
option(EL_PCH "Precompiled headers for the Asio/Beast, spdlog and CLI11 heavy targets" ${el_pch_default})

set(EL_PCH_LOG <spdlog/spdlog.h> <string> <vector> <memory> <optional> <mutex> <chrono>)
set(EL_PCH_ASIO
    <boost/asio/as_tuple.hpp> <boost/asio/awaitable.hpp> <boost/asio/co_spawn.hpp>
    <boost/asio/detached.hpp> <boost/asio/io_context.hpp> <boost/asio/ip/tcp.hpp>
    <boost/asio/post.hpp> <boost/asio/read.hpp> <boost/asio/steady_timer.hpp>
    <boost/asio/strand.hpp> <boost/asio/thread_pool.hpp> <boost/asio/use_awaitable.hpp>
    <boost/asio/write.hpp>)
set(EL_PCH_LAKE <fmt/format.h> <filesystem> <algorithm> <map> <set> <fstream>)
set(EL_PCH_BEAST <boost/beast/core/flat_buffer.hpp> <boost/beast/core/tcp_stream.hpp>
    <boost/beast/http.hpp>)

# el_precompile_headers(<target> <header>...): precompiles the headers for <target> when EL_PCH is on.
# GCC 12 checks code inlined from a precompiled libstdc++ as if it were the project's own, and
# reports impossible bounds inside std::string at -O2 (the false positives of GCC bug 105329 that
# el_warnings already silences for -Wrestrict); those three warnings are off for these targets.
function(el_precompile_headers target)
  if(EL_PCH)
    target_precompile_headers(${target} PRIVATE ${ARGN})
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${target} PRIVATE -Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread)
    endif()
  endif()
endfunction()
