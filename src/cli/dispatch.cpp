// `gemmlab <command>`: choose the subcommand; turn errors into exit codes.
#include <cerrno>
#include <cstring>
#include <exception>
#include <new>
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
    "  tune      time a kernel's cache blocks (KC, MC, NC) around its constants and the cache\n"
    "            model's, and write the best to a tuning file (GEMMLAB_TUNING_FILE)\n"
    "\n"
    "`gemmlab <command> --help` describes a command's options.\n";

int run_command(std::span<const std::string> args, std::ostream& out) {
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    out << usage_text;
    return 0;
  }
  const std::string& command = args[0];
  const std::span<const std::string> rest = args.subspan(1);
  if (command == "rnn") return run_rnn(rest, out);
  if (command == "kernels") return run_kernels(rest, out);
  if (command == "tune") return run_tune(rest, out);
  throw usage_error("unknown command '" + command + "' (commands: rnn, kernels, tune; see gemmlab --help)");
}

}  // namespace

void require_written(const std::ostream& os) {
  if (os) return;
  const int reason = errno;  // first: building the message may change errno
  throw write_error(std::string("cannot write the output: ")
                        .append(reason != 0 ? std::strerror(reason) : "the output stream failed"));
}

int run_main(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {  // one line, like every error; the usage is one --help away
    err << "gemmlab: missing command (commands: rnn, kernels, tune; see gemmlab --help)\n";
    return 2;
  }
  try {
    errno = 0;
    const int code = run_command(args, out);
    // Most of a short output is still in the stream's buffer: only the flush
    // shows whether it reached the file (a full disk, a closed stdout).
    out.flush();
    require_written(out);
    return code;
  } catch (const usage_error& e) {
    err << "gemmlab: " << e.what() << '\n';
    return 2;
  } catch (const std::bad_alloc&) {  // the commands name what they allocate; this is anything else
    err << "gemmlab: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    err << "gemmlab: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace gemmlab::cli
