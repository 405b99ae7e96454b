module "contact_flow" {
  source = "./modules/contact-flow"
  count  = local.create ? 1 : 0

  writer_function_arn           = aws_lambda_function.this["writer"].arn
  checker_function_arn          = aws_lambda_function.this["checker"].arn
  request_deadline_seconds      = var.request_deadline_seconds
  invocation_time_limit_seconds = var.contact_flow.invocation_time_limit_seconds
  checker_wait_seconds          = var.checker_wait_seconds
  task_name                     = var.contact_flow.task_name
  task_parameters               = var.contact_flow.task_parameters
  result_fields                 = var.contact_flow.result_fields
  prompts                       = var.contact_flow.prompts
  holding                       = var.contact_flow.holding

  invoke_flow_module = local.create_flow_module
  flow_module_id     = local.create_flow_module ? aws_connect_contact_flow_module.this[0].contact_flow_module_id : null
}

resource "aws_lambda_permission" "connect" {
  for_each = local.connect_functions

  statement_id  = "AllowAmazonConnectInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this[each.key].function_name
  principal     = "connect.amazonaws.com"
  source_arn    = var.connect_instance_arn
}

resource "aws_connect_lambda_function_association" "this" {
  for_each = local.connect_functions

  instance_id  = local.connect_instance_id
  function_arn = aws_lambda_function.this[each.key].arn
}

# The tracker as a flow module (docs/flow-module.md): any inbound flow of the instance can
# invoke it; the module's own flow does, when it is published (contact_flow.create).
resource "aws_connect_contact_flow_module" "this" {
  count = local.create_flow_module ? 1 : 0

  instance_id = local.connect_instance_id
  name        = coalesce(var.contact_flow_module.name, "${var.name}-async-tracker-module")
  description = var.contact_flow_module.description
  content     = module.contact_flow[0].flow_module_content

  tags = local.tags

  # Connect validates a module's Lambda references as it does a flow's.
  depends_on = [
    aws_connect_lambda_function_association.this,
    aws_lambda_permission.connect,
  ]
}

resource "aws_connect_contact_flow" "this" {
  count = local.create_contact_flow ? 1 : 0

  instance_id = local.connect_instance_id
  name        = coalesce(var.contact_flow.name, "${var.name}-async-tracker")
  description = var.contact_flow.description
  type        = "CONTACT_FLOW"
  content     = module.contact_flow[0].content

  tags = local.tags

  # Connect validates a flow's Lambda references when it is published: the functions
  # must be associated with the instance and invocable by it first.
  depends_on = [
    aws_connect_lambda_function_association.this,
    aws_lambda_permission.connect,
  ]
}
