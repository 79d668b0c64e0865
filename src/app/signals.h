#pragma once
// Stop signals for long-running subcommands. Call BlockStopSignals() on the main thread BEFORE any
// thread starts (threads inherit the mask, so SIGINT/SIGTERM reach only WaitForStopSignal).
namespace el::app {

void BlockStopSignals();
// Blocks until SIGINT or SIGTERM arrives; returns the signal number.
int WaitForStopSignal();

}  // namespace el::app
