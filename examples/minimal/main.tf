# Minimal: the tracker without Amazon Connect. The contact flow is rendered (output
# contact_flow_content) for you to import by hand; nothing is published.

provider "aws" {
  region = var.region
}

module "tracker" {
  source = "../../"

  name = var.name

  # The built-in demo task: registered only because this example asks for it.
  enable_demo_tasks = true
  default_task      = "simulated_backend"
}
