// `eventlake convert --lake DIR`: brings a lake landed by an older eventlake to this one's lake
// format (jobs/convert.h).
#include <iostream>
#include <memory>

#include "app/commands.h"
#include "app/lake_option.h"
#include "jobs/convert.h"

namespace el::app {

void AddConvertCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<jobs::ConvertOptions>();
  CLI::App* cmd = app.add_subcommand("convert",
                                     "convert a lake landed by an older eventlake to this one's "
                                     "lake format (stop its landers first)");
  cmd->add_option("--lake", args->lake_dir, "lake directory")
      ->required()
      ->transform(LakeLocationValidator("convert"));
  cmd->add_option("--event-type-field", args->event_type_field,
                  "the field whose values named the lake's event-type tables")
      ->capture_default_str();
  cmd->callback([args, &exit_code] {
    auto summary = jobs::Convert(*args);
    if (!summary.ok()) {
      std::cerr << "eventlake convert: " << summary.status().message() << "\n";
      exit_code = 1;
      return;
    }
    std::cout << jobs::FormatConvertSummary(args->lake_dir, *summary) << std::endl;
    exit_code = 0;
  });
}

}  // namespace el::app
