// fabsim: the command-line entry point. Parses arguments with CLI11 and dispatches.
// Exit status: 0 success, 1 a check failed (determinism, expectations), 2 bad input.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <string>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"fabsim: a deterministic discrete-event simulator of Hyperledger Fabric"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "fabsim 0.1.0");

  fabsim::cli::FloodOptions flood;
  CLI::App* demo = app.add_subcommand("demo", "run a kernel demo protocol (default: flood)");
  demo->require_subcommand(0, 1);
  CLI::App* flood_cmd = demo->add_subcommand("flood", "gossip flooding over a random graph, with optional faults");
  for (CLI::App* target : {demo, flood_cmd}) fabsim::cli::add_flood_options(*target, flood);

  // A first word that is not a flag must name a command; say which word is wrong.
  bool known = false;
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) known |= argc > 1 && sub->check_name(argv[1]);
  if (argc > 1 && argv[1][0] != '-' && !known) {
    std::fprintf(stderr, "fabsim: unknown command '%s' (commands: demo; see --help)\n", argv[1]);
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "fabsim: %s (see --help)\n", e.what());
    return 2;
  }

  if (demo->parsed()) return fabsim::cli::run_flood(flood, std::cout, std::cerr);
  return 2;
}
