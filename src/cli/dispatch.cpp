// `gemmlab <command>`: choose the subcommand; turn errors into exit codes.
#include <exception>
#include <ostream>

#include "cli/cli.hpp"

namespace gemmlab::cli {
namespace {

const char* const usage_text =
    "usage: gemmlab <command> [options]\n"
    "\n"
    "commands:\n"
    "  rnn       run the seed's RNN (or your own weights and inputs) with one or every kernel\n"
    "  kernels   list every kernel, whether this CPU can run it, and the CPU features detected\n"
    "\n"
    "`gemmlab <command> --help` describes a command's options.\n";

}  // namespace

int run_main(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {  // one line, like every error; the usage is one --help away
    err << "gemmlab: missing command (commands: rnn, kernels; see gemmlab --help)\n";
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    out << usage_text;
    return 0;
  }
  const std::string& command = args[0];
  const std::span<const std::string> rest = args.subspan(1);
  try {
    if (command == "rnn") return run_rnn(rest, out);
    if (command == "kernels") return run_kernels(rest);
    throw usage_error("unknown command '" + command + "' (commands: rnn, kernels; see gemmlab --help)");
  } catch (const usage_error& e) {
    err << "gemmlab: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    err << "gemmlab: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace gemmlab::cli
