// fabsim: the command-line entry point. Parses arguments with CLI11 and dispatches.
// Exit status: 0 success, 1 a check failed (determinism, expectations), 2 bad input.
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "core/allocator.h"
#include "cli/policy_eval.h"
#include "cli/run_command.h"
#include "cli/sweep_command.h"

namespace {

// Every host's ledger is on disk during a run (cli/run_directory.h), each database holding a
// few files open, and a large network needs more descriptors than the usual soft limit of
// 1,024: the soft limit goes up to the hard limit. Failure changes nothing.
void raise_open_files_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max) return;
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
}

}  // namespace

int main(int argc, char** argv) {
  fabsim::tune_allocator();
  raise_open_files_limit();
  CLI::App app{"fabsim: a deterministic discrete-event simulator of Hyperledger Fabric"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "fabsim 0.1.0");

  fabsim::cli::FloodOptions flood;
  CLI::App* demo = app.add_subcommand("demo", "run a kernel demo protocol (default: flood)");
  demo->require_subcommand(0, 1);
  CLI::App* flood_cmd = demo->add_subcommand("flood", "gossip flooding over a random graph, with optional faults");
  for (CLI::App* target : {demo, flood_cmd}) fabsim::cli::add_flood_options(*target, flood);

  fabsim::cli::RunOptions run;
  CLI::App* run_cmd = app.add_subcommand("run", "run a scenario file and report throughput, latency and safety");
  fabsim::cli::add_run_options(*run_cmd, run);

  fabsim::cli::SweepOptions sweep;
  CLI::App* sweep_cmd = app.add_subcommand(
      "sweep", "run a scenario over a grid of --set values and seeds, in parallel; summarise per cell");
  fabsim::cli::add_sweep_options(*sweep_cmd, sweep);
  sweep.progress_bar = isatty(STDERR_FILENO) == 1;

  std::string policy_text, signers;
  CLI::App* policy = app.add_subcommand("policy", "work with Fabric endorsement policies");
  policy->require_subcommand(1);
  CLI::App* eval = policy->add_subcommand("eval", "evaluate a policy against a list of signers, as Fabric 2.x does");
  eval->add_option("policy", policy_text, "a policy in Fabric's language, e.g. \"AND('Org1MSP.peer','Org2MSP.peer')\"")
      ->required();
  eval->add_option("--signers", signers,
                   "comma-separated signers MSPID.role[#name]; the same #name twice is the same identity");

  // A first word that is not a flag must name a command; say which word is wrong.
  bool known = false;
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) known |= argc > 1 && sub->check_name(argv[1]);
  if (argc > 1 && argv[1][0] != '-' && !known) {
    std::fprintf(stderr, "fabsim: unknown command '%s' (commands: run, sweep, demo, policy; see --help)\n", argv[1]);
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

  run.progress = isatty(STDOUT_FILENO) != 0;
  if (run_cmd->parsed()) return fabsim::cli::run_scenario_command(run, std::cout, std::cerr);
  if (sweep_cmd->parsed()) return fabsim::cli::run_sweep_command(sweep, std::cout, std::cerr);
  if (demo->parsed()) return fabsim::cli::run_flood(flood, std::cout, std::cerr);
  if (eval->parsed()) return fabsim::cli::run_policy_eval(policy_text, signers, std::cout, std::cerr);
  return 2;
}
