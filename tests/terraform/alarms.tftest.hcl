# Alarms (alarms.tf, docs/alarms.md): on by default, off with the switch, one set per
# function, actions wired, the metric filters on the JSON logs, the optional dashboard, and
# every input check. Plan-only against a mocked provider.

mock_provider "aws" {
  override_during = plan

  mock_resource "aws_dynamodb_table" {
    defaults = {
      arn        = "arn:aws:dynamodb:eu-west-1:111122223333:table/al-tracker"
      stream_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/al-tracker/stream/2025-01-01T00:00:00.000"
    }
  }
  mock_resource "aws_sqs_queue" {
    defaults = {
      arn = "arn:aws:sqs:eu-west-1:111122223333:al-processor-failures"
      url = "https://sqs.eu-west-1.amazonaws.com/111122223333/al-processor-failures"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::111122223333:role/al-role"
    }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/al-function"
    }
  }
  mock_resource "aws_lambda_function" {
    defaults = {
      arn = "arn:aws:lambda:eu-west-1:111122223333:function:al-function"
    }
  }
  mock_resource "aws_cloudwatch_metric_alarm" {
    defaults = {
      arn = "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:al-alarm"
    }
  }
}

variables {
  name = "al"
}

run "alarms_on_by_default" {
  command = plan

  assert {
    condition = toset(keys(aws_cloudwatch_metric_alarm.this)) == toset([
      "on_failure_queue_depth", "stream_iterator_age",
      "writer_errors", "writer_throttles", "processor_errors", "processor_throttles",
      "worker_errors", "worker_throttles", "checker_errors", "checker_throttles",
      "worker_async_event_age", "worker_async_events_dropped",
      "processor_destination_delivery_failures", "worker_destination_delivery_failures",
      "checker_unknown_answers", "writer_failures",
    ])
    error_message = "By default the module must create the queue, iterator age, per-function errors/throttles, the asynchronously invoked worker's event age and dropped events, the two destinations' delivery failures, and the two log alarms."
  }
  assert {
    condition = alltrue([for key, alarm in aws_cloudwatch_metric_alarm.this : alltrue([
      alarm.alarm_name == "al-${replace(key, "_", "-")}",
      alarm.comparison_operator == "GreaterThanOrEqualToThreshold",
      alarm.period == 60,
      alarm.evaluation_periods == 1,
      alarm.datapoints_to_alarm == 1,
      alarm.treat_missing_data == "notBreaching",
      alarm.actions_enabled,
      length(alarm.alarm_actions) == 0,
      length(alarm.ok_actions) == 0,
    ])])
    error_message = "Every alarm must be named <name>-<key>, fire at or above its threshold over one 60 s period, treat missing data as not breaching, and have no actions by default."
  }
  assert {
    condition = alltrue(flatten([for key in ["writer", "processor", "worker", "checker"] : [
      for metric in ["Errors", "Throttles"] : (
        aws_cloudwatch_metric_alarm.this["${key}_${lower(metric)}"].namespace == "AWS/Lambda" &&
        aws_cloudwatch_metric_alarm.this["${key}_${lower(metric)}"].metric_name == metric &&
        aws_cloudwatch_metric_alarm.this["${key}_${lower(metric)}"].statistic == "Sum" &&
        aws_cloudwatch_metric_alarm.this["${key}_${lower(metric)}"].threshold == 1 &&
        aws_cloudwatch_metric_alarm.this["${key}_${lower(metric)}"].dimensions == tomap({ FunctionName = "al-${key}" })
      )
    ]]))
    error_message = "Each function must have an Errors and a Throttles alarm (Sum >= 1) on its own FunctionName."
  }
  assert {
    condition = alltrue([
      aws_cloudwatch_metric_alarm.this["on_failure_queue_depth"].namespace == "AWS/SQS",
      aws_cloudwatch_metric_alarm.this["on_failure_queue_depth"].metric_name == "ApproximateNumberOfMessagesVisible",
      aws_cloudwatch_metric_alarm.this["on_failure_queue_depth"].statistic == "Maximum",
      aws_cloudwatch_metric_alarm.this["on_failure_queue_depth"].threshold == 1,
      aws_cloudwatch_metric_alarm.this["on_failure_queue_depth"].dimensions == tomap({ QueueName = aws_sqs_queue.on_failure[0].name }),
    ])
    error_message = "The on-failure queue alarm must watch the module's queue's visible messages (Maximum >= 1)."
  }
  assert {
    condition = alltrue([
      aws_cloudwatch_metric_alarm.this["stream_iterator_age"].namespace == "AWS/Lambda",
      aws_cloudwatch_metric_alarm.this["stream_iterator_age"].metric_name == "IteratorAge",
      aws_cloudwatch_metric_alarm.this["stream_iterator_age"].statistic == "Maximum",
      aws_cloudwatch_metric_alarm.this["stream_iterator_age"].threshold == 60000,
      aws_cloudwatch_metric_alarm.this["stream_iterator_age"].dimensions == tomap({ FunctionName = aws_lambda_function.this["processor"].function_name }),
    ])
    error_message = "The iterator age alarm must watch the stream-triggered processor (Maximum >= 60000 ms)."
  }
  assert {
    condition = alltrue([
      aws_cloudwatch_log_metric_filter.this["checker_unknown_answers"].log_group_name == aws_cloudwatch_log_group.this["checker"].name,
      aws_cloudwatch_log_metric_filter.this["checker_unknown_answers"].pattern == "{ $.event = \"check.store_unavailable\" }",
      aws_cloudwatch_log_metric_filter.this["writer_failures"].log_group_name == aws_cloudwatch_log_group.this["writer"].name,
      aws_cloudwatch_log_metric_filter.this["writer_failures"].pattern == "{ $.event = \"request.store_unavailable\" }",
    ])
    error_message = "The log metric filters must match the checker's and the writer's store_unavailable events in their own log groups."
  }
  assert {
    condition = alltrue([for key, filter in aws_cloudwatch_log_metric_filter.this : (
      filter.metric_transformation[0].namespace == "ConnectTracker/al" &&
      filter.metric_transformation[0].value == "1" &&
      aws_cloudwatch_metric_alarm.this[key].namespace == "ConnectTracker/al" &&
      aws_cloudwatch_metric_alarm.this[key].metric_name == filter.metric_transformation[0].name &&
      aws_cloudwatch_metric_alarm.this[key].statistic == "Sum" &&
      aws_cloudwatch_metric_alarm.this[key].dimensions == null
    )])
    error_message = "Each log alarm must count (Sum) the metric its filter emits, in the deployment's namespace."
  }
  assert {
    condition     = length(aws_cloudwatch_dashboard.this) == 0 && output.dashboard_name == null
    error_message = "No dashboard unless create_dashboard."
  }
  assert {
    condition     = length(output.alarm_arns) == 16 && output.alarm_metric_namespace == "ConnectTracker/al"
    error_message = "alarm_arns must list every alarm, and alarm_metric_namespace the log metrics' namespace."
  }
}

# Lambda's DestinationDeliveryFailures as "Types of metrics for Lambda functions" documents it
# (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html): an invocation
# metric, read with the Sum statistic, in AWS/Lambda by FunctionName, counted for asynchronous
# invocation and for stream event source mappings (DynamoDB, Kinesis). LocalStack 2026.3 does
# not publish it (docs/alarms.md), so this plan is its proof.
run "delivery_failures_to_the_on_failure_queue_watched" {
  command = plan

  variables {
    alarms = { thresholds = { destination_delivery_failures = 2 } }
  }

  assert {
    condition = alltrue([for key in ["processor", "worker"] : (
      aws_cloudwatch_metric_alarm.this["${key}_destination_delivery_failures"].namespace == "AWS/Lambda" &&
      aws_cloudwatch_metric_alarm.this["${key}_destination_delivery_failures"].metric_name == "DestinationDeliveryFailures" &&
      aws_cloudwatch_metric_alarm.this["${key}_destination_delivery_failures"].statistic == "Sum" &&
      aws_cloudwatch_metric_alarm.this["${key}_destination_delivery_failures"].threshold == 2 &&
      aws_cloudwatch_metric_alarm.this["${key}_destination_delivery_failures"].comparison_operator == "GreaterThanOrEqualToThreshold" &&
      aws_cloudwatch_metric_alarm.this["${key}_destination_delivery_failures"].treat_missing_data == "notBreaching" &&
      aws_cloudwatch_metric_alarm.this["${key}_destination_delivery_failures"].dimensions == tomap({ FunctionName = aws_lambda_function.this[key].function_name })
    )])
    error_message = "Each function with an on-failure destination must have a DestinationDeliveryFailures alarm (AWS/Lambda, Sum >= its threshold) on its own FunctionName."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.processor[0].function_name == aws_lambda_function.this["processor"].arn && aws_lambda_event_source_mapping.processor[0].destination_config[0].on_failure[0].destination_arn == aws_sqs_queue.on_failure[0].arn
    error_message = "The processor's alarm watches the stream mapping's destination: the mapping must invoke the processor and deliver to the on-failure queue."
  }
  assert {
    condition     = aws_lambda_function_event_invoke_config.worker[0].function_name == aws_lambda_function.this["worker"].function_name && aws_lambda_function_event_invoke_config.worker[0].destination_config[0].on_failure[0].destination == aws_sqs_queue.on_failure[0].arn
    error_message = "The worker's alarm watches its asynchronous destination: the worker's event invoke config must deliver to the on-failure queue."
  }
  assert {
    condition     = !contains(keys(aws_cloudwatch_metric_alarm.this), "writer_destination_delivery_failures") && !contains(keys(aws_cloudwatch_metric_alarm.this), "checker_destination_delivery_failures")
    error_message = "The writer and checker have no destination (Connect invokes them synchronously): no delivery alarm for them."
  }
}

run "alarms_off_with_the_switch" {
  command = plan

  variables {
    alarms           = { create = false }
    create_dashboard = true
    alarm_actions    = ["arn:aws:sns:eu-west-1:111122223333:al-pager"]
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 0 && length(aws_cloudwatch_log_metric_filter.this) == 0 && length(aws_cloudwatch_dashboard.this) == 0
    error_message = "With alarms.create = false no alarm, metric filter or dashboard may be created."
  }
  assert {
    condition     = output.alarm_arns == null && output.dashboard_name == null && output.alarm_metric_namespace == null
    error_message = "Without alarms their outputs must be null."
  }
  assert {
    condition     = length(aws_lambda_function.this) == 4
    error_message = "Switching alarms off must not touch the functions."
  }
}

run "nothing_with_create_false" {
  command = plan

  variables {
    create           = false
    create_dashboard = true
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 0 && length(aws_cloudwatch_log_metric_filter.this) == 0 && length(aws_cloudwatch_dashboard.this) == 0 && output.alarm_arns == null
    error_message = "With create = false there are no alarms either."
  }
}

run "actions_wired_to_every_alarm" {
  command = plan

  variables {
    alarm_actions = ["arn:aws:sns:eu-west-1:111122223333:al-pager"]
    ok_actions    = ["arn:aws:sns:eu-west-1:111122223333:al-all-clear", "arn:aws:sns:eu-west-1:111122223333:al-pager"]
  }

  assert {
    condition = alltrue([for alarm in aws_cloudwatch_metric_alarm.this :
      alarm.alarm_actions == toset(["arn:aws:sns:eu-west-1:111122223333:al-pager"]) && alarm.ok_actions == toset(["arn:aws:sns:eu-west-1:111122223333:al-all-clear", "arn:aws:sns:eu-west-1:111122223333:al-pager"])
    ])
    error_message = "Every alarm must notify alarm_actions on ALARM and ok_actions on OK."
  }
}

run "settings_reach_every_alarm" {
  command = plan

  variables {
    alarms = {
      period_seconds      = 300
      evaluation_periods  = 3
      datapoints_to_alarm = 2
      thresholds = {
        on_failure_queue_messages = 5
        stream_iterator_age_ms    = 30000
        function_errors           = 3
        function_throttles        = 4
        checker_unknown_answers   = 10
        writer_failures           = 2
      }
    }
  }

  assert {
    condition     = alltrue([for alarm in aws_cloudwatch_metric_alarm.this : alarm.period == 300 && alarm.evaluation_periods == 3 && alarm.datapoints_to_alarm == 2])
    error_message = "Period, evaluation periods and datapoints to alarm must apply to every alarm."
  }
  assert {
    condition = {
      for key in ["on_failure_queue_depth", "stream_iterator_age", "writer_errors", "checker_throttles", "checker_unknown_answers", "writer_failures"] :
      key => aws_cloudwatch_metric_alarm.this[key].threshold
      } == {
      on_failure_queue_depth  = 5
      stream_iterator_age     = 30000
      writer_errors           = 3
      checker_throttles       = 4
      checker_unknown_answers = 10
      writer_failures         = 2
    }
    error_message = "Each threshold must reach its alarm."
  }
}

run "dashboard_on_request" {
  command = plan

  variables {
    create_dashboard = true
  }

  assert {
    condition     = aws_cloudwatch_dashboard.this[0].dashboard_name == "al-async-tracker" && output.dashboard_name == "al-async-tracker"
    error_message = "The dashboard must be named <name>-async-tracker and exposed as dashboard_name."
  }
  assert {
    condition = (
      jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets[0].type == "alarm" &&
      length(jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets[0].properties.alarms) == 16
    )
    error_message = "The dashboard must open with an alarm widget listing every alarm."
  }
  assert {
    condition = alltrue([
      for widget in slice(jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets, 1, 8) :
      widget.type == "metric" && widget.properties.region == "eu-west-1" && length(widget.properties.metrics) > 0
    ]) && length(jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets) == 8
    error_message = "The dashboard must hold one metric widget per function plus queue, ages and log metrics, in the deployment's region."
  }
}

# Every input check rejects a bad value.

run "period_not_allowed" {
  command = plan
  variables {
    alarms = { period_seconds = 45 }
  }
  expect_failures = [var.alarms]
}

run "evaluation_periods_zero" {
  command = plan
  variables {
    alarms = { evaluation_periods = 0 }
  }
  expect_failures = [var.alarms]
}

run "evaluation_range_over_a_day" {
  command = plan
  variables {
    alarms = { period_seconds = 600, evaluation_periods = 145 }
  }
  expect_failures = [var.alarms]
}

run "datapoints_above_evaluation_periods" {
  command = plan
  variables {
    alarms = { evaluation_periods = 2, datapoints_to_alarm = 3 }
  }
  expect_failures = [var.alarms]
}

run "threshold_zero" {
  command = plan
  variables {
    alarms = { thresholds = { function_errors = 0 } }
  }
  expect_failures = [var.alarms]
}

run "threshold_fraction" {
  command = plan
  variables {
    alarms = { thresholds = { stream_iterator_age_ms = 1.5 } }
  }
  expect_failures = [var.alarms]
}

# Every action type PutMetricAlarm documents for these alarms
# (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).

run "every_documented_action_type_accepted" {
  command = plan

  variables {
    alarm_actions = [
      "arn:aws:sns:eu-west-1:111122223333:al-pager.fifo",
      "arn:aws:lambda:eu-west-1:111122223333:function:al-responder:live",
      "arn:aws:ssm:eu-west-1:111122223333:opsitem:2#CATEGORY=Availability",
      "arn:aws:ssm-incidents::111122223333:response-plan/cc-sev2",
      "arn:aws:aiops:eu-west-1:111122223333:investigation-group:a1b2c3d4e5f6",
    ]
    ok_actions = [
      "arn:aws-us-gov:sns:us-gov-west-1:111122223333:al-all-clear",
      "arn:aws:lambda:eu-west-1:111122223333:function:al-responder",
      "arn:aws:lambda:eu-west-1:111122223333:function:al-responder:7",
      "arn:aws:ssm:eu-west-1:111122223333:opsitem:4",
      "arn:aws:autoscaling:eu-west-1:111122223333:scalingPolicy:12345678-90ab-cdef-1234-567890abcdef:resource/lambda/function:al-worker:live:policyName/al-scale-in",
    ]
  }

  assert {
    condition     = alltrue([for alarm in aws_cloudwatch_metric_alarm.this : length(alarm.alarm_actions) == 5 && length(alarm.ok_actions) == 5])
    error_message = "SNS topics, Lambda functions, versions and aliases, OpsItems, response plans, scaling policies and investigation groups must all reach every alarm."
  }
}

run "response_plan_as_the_api_reference_writes_it" {
  command = plan
  variables {
    alarm_actions = [
      "arn:aws:ssm-incidents::111122223333:responseplan/cc-sev2",
      "arn:aws:autoscaling:eu-west-1:111122223333:scalingPolicy:12345678-90ab-cdef-1234-567890abcdef:autoScalingGroupName/workers:policyName/scale-out",
    ]
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this["writer_errors"].alarm_actions) == 2
    error_message = "The API reference's responseplan/ form and an EC2 Auto Scaling policy must be accepted."
  }
}

run "alarm_action_sqs_queue" {
  command = plan
  variables {
    alarm_actions = ["arn:aws:sqs:eu-west-1:111122223333:al-pager"]
  }
  expect_failures = [var.alarm_actions]
}

run "alarm_action_ec2_stop" {
  command = plan
  variables {
    alarm_actions = ["arn:aws:automate:eu-west-1:ec2:stop"]
  }
  expect_failures = [var.alarm_actions]
}

run "alarm_action_ec2_swf_reboot" {
  command = plan
  variables {
    alarm_actions = ["arn:aws:swf:eu-west-1:111122223333:action/actions/AWS_EC2.InstanceId.Reboot/1.0"]
  }
  expect_failures = [var.alarm_actions]
}

run "alarm_action_opsitem_severity_5" {
  command = plan
  variables {
    alarm_actions = ["arn:aws:ssm:eu-west-1:111122223333:opsitem:5"]
  }
  expect_failures = [var.alarm_actions]
}

run "alarm_action_opsitem_unknown_category" {
  command = plan
  variables {
    alarm_actions = ["arn:aws:ssm:eu-west-1:111122223333:opsitem:1#CATEGORY=Urgent"]
  }
  expect_failures = [var.alarm_actions]
}

run "alarm_action_lambda_layer_not_a_function" {
  command = plan
  variables {
    alarm_actions = ["arn:aws:lambda:eu-west-1:111122223333:layer:al-layer:1"]
  }
  expect_failures = [var.alarm_actions]
}

run "alarm_actions_too_many" {
  command = plan
  variables {
    alarm_actions = [for n in range(6) : "arn:aws:sns:eu-west-1:111122223333:topic-${n}"]
  }
  expect_failures = [var.alarm_actions]
}

run "ok_action_not_an_arn" {
  command = plan
  variables {
    ok_actions = ["al-all-clear"]
  }
  expect_failures = [var.ok_actions]
}

run "ok_action_investigation_group" {
  command = plan
  variables {
    ok_actions = ["arn:aws:aiops:eu-west-1:111122223333:investigation-group:a1b2c3d4e5f6"]
  }
  expect_failures = [var.ok_actions]
}

run "ok_actions_too_many" {
  command = plan
  variables {
    ok_actions = [for n in range(6) : "arn:aws:lambda:eu-west-1:111122223333:function:responder-${n}"]
  }
  expect_failures = [var.ok_actions]
}
