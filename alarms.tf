# CloudWatch alarms (docs/alarms.md): on by default (var.alarms.create), one alarm per
# signal, all in one map so a new function or signal is one entry.

locals {
  create_alarms    = local.create && var.alarms.create
  create_dashboard = local.create_alarms && var.create_dashboard

  # The ARN forms alarm_actions and ok_actions take (variables.tf), from PutMetricAlarm's
  # AlarmActions and OKActions lists:
  # https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
  # - OpsItem severity 1-4 and the five categories: Systems Manager's "Configure an existing
  #   CloudWatch alarm to create OpsItems (programmatically)"
  #   https://docs.aws.amazon.com/systems-manager/latest/userguide/OpsCenter-configuring-an-existing-alarm-programmatically.html
  # - Response plans: the API reference writes "responseplan/<name>"; Incident Manager's own
  #   ARNs read "response-plan/<name>" (Service Authorization Reference, AWS Systems Manager
  #   Incident Manager resource types), so both are taken.
  # - Scaling policies of Application Auto Scaling (a Lambda alias's provisioned concurrency,
  #   say) read "resource/<resource>" where EC2 Auto Scaling's read "autoScalingGroupName/";
  #   alarms may scale either (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-actions.html).
  # - EC2 actions (automate:<region>:ec2:*, swf AWS_EC2.InstanceId.*) are left out: they act
  #   on the instance whose metric an alarm watches (the same page: only alarms on EC2
  #   metrics may take them),
  #   and no alarm here watches one.
  # - Investigation groups start only on ALARM: OKActions does not list them.
  alarm_action_patterns = {
    sns_topic           = "^arn:aws[a-zA-Z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$"
    lambda_function     = "^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$"
    ssm_opsitem         = "^arn:aws[a-zA-Z-]*:ssm:[a-z0-9-]+:[0-9]{12}:opsitem:[1-4](#CATEGORY=(Availability|Cost|Performance|Recovery|Security))?$"
    ssm_response_plan   = "^arn:aws[a-zA-Z-]*:ssm-incidents::[0-9]{12}:(response-plan|responseplan)/[A-Za-z0-9_-]{1,200}$"
    scaling_policy      = "^arn:aws[a-zA-Z-]*:autoscaling:[a-z0-9-]+:[0-9]{12}:scalingPolicy:[0-9a-fA-F-]{1,36}:(autoScalingGroupName|resource)/[^:]+(:[^:]+)*:policyName/.{1,256}$"
    investigation_group = "^arn:aws[a-zA-Z-]*:aiops:[a-z0-9-]+:[0-9]{12}:investigation-group:[A-Za-z0-9]{1,64}$"
  }

  # Functions invoked asynchronously (Lambda's event queue): they also get the AsyncEventAge
  # and AsyncEventsDropped alarms.
  async_function_keys = ["worker"]
  # Functions whose failures Lambda sends to the on-failure queue: the processor through the
  # stream's event source mapping (stream.tf), the worker through its asynchronous invocation
  # config (lambda.tf). They also get the DestinationDeliveryFailures alarm.
  destination_function_keys = ["processor", "worker"]
  # The function the table's stream triggers (stream.tf): its IteratorAge is the stream's lag.
  stream_function_key = "processor"

  alarm_functions = local.create_alarms ? {
    for key, function in local.functions : key => {
      name        = function.name
      async       = contains(local.async_function_keys, key)
      destination = contains(local.destination_function_keys, key)
    }
  } : {}

  # Metrics counted from the JSON logs (Lambda's JSON log format puts each record's `extra`
  # fields at the top level; connect_tracker.logs.log_event sets `event`). Patterns in
  # CloudWatch Logs' JSON filter syntax:
  # https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
  # https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html
  alarm_metric_namespace = "ConnectTracker/${var.name}"
  log_metrics = local.create_alarms ? {
    # The checker's only UNKNOWN answer: the table did not answer within its time
    # (service.check_request).
    checker_unknown_answers = {
      function    = "checker"
      metric_name = "CheckerUnknownAnswers"
      pattern     = "{ $.event = \"check.store_unavailable\" }"
    }
    # The writer's own failure: the table stayed unreachable, the flow takes its error
    # branch (service.submit_request). Other unhandled errors count in <writer>-errors.
    writer_failures = {
      function    = "writer"
      metric_name = "WriterFailures"
      pattern     = "{ $.event = \"request.store_unavailable\" }"
    }
  } : {}

  thresholds = var.alarms.thresholds

  # Lambda's own metrics, one alarm per function and metric, for the functions each metric
  # applies to. In each description, %[1]s is the function's key, %[2]s its name and %[3]s
  # the threshold. Names, statistics and dimensions: "Types of metrics for Lambda functions"
  # https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html (invocation
  # metrics with Sum, ages with Maximum, all by FunctionName).
  function_metrics = {
    errors = {
      metric_name   = "Errors"
      statistic     = "Sum"
      threshold     = local.thresholds.function_errors
      function_keys = keys(local.functions)
      description   = "The %[1]s function (%[2]s) failed at least %[3]s time(s) in a period: its invocations raised or timed out."
    }
    throttles = {
      metric_name   = "Throttles"
      statistic     = "Sum"
      threshold     = local.thresholds.function_throttles
      function_keys = keys(local.functions)
      description   = "The %[1]s function (%[2]s) was throttled at least %[3]s time(s) in a period: concurrency (reserved or the account's) ran out."
    }
    async_event_age = {
      metric_name   = "AsyncEventAge"
      statistic     = "Maximum"
      threshold     = local.thresholds.async_event_age_ms
      function_keys = local.async_function_keys
      description   = "Events waited at least %[3]s ms in the %[1]s function's (%[2]s) asynchronous queue before an invocation."
    }
    async_events_dropped = {
      metric_name   = "AsyncEventsDropped"
      statistic     = "Sum"
      threshold     = local.thresholds.async_events_dropped
      function_keys = local.async_function_keys
      description   = "The %[1]s function (%[2]s) dropped at least %[3]s asynchronous event(s) without running them."
    }
    # Per the page above (invocation metrics): Lambda's failed attempts to send a record to a
    # destination, for asynchronous invocation and for event source mappings of stream
    # sources (DynamoDB, Kinesis); an invocation metric (Sum) by FunctionName, so the stream
    # mapping's failures count on the processor it invokes. Without this alarm a lost record
    # is silent: the queue it never reached stays empty and its depth alarm OK.
    destination_delivery_failures = {
      metric_name   = "DestinationDeliveryFailures"
      statistic     = "Sum"
      threshold     = local.thresholds.destination_delivery_failures
      function_keys = local.destination_function_keys
      description   = "Lambda failed at least %[3]s time(s) to put a record of what the %[1]s function (%[2]s) gave up on into the on-failure queue: those requests are neither finished nor kept for replay."
    }
  }

  function_alarms = {
    for pair in setproduct(keys(local.alarm_functions), keys(local.function_metrics)) : "${pair[0]}_${pair[1]}" => {
      namespace   = "AWS/Lambda"
      metric_name = local.function_metrics[pair[1]].metric_name
      dimensions  = { FunctionName = local.alarm_functions[pair[0]].name }
      statistic   = local.function_metrics[pair[1]].statistic
      threshold   = local.function_metrics[pair[1]].threshold
      description = "${format(local.function_metrics[pair[1]].description, pair[0], local.alarm_functions[pair[0]].name, local.function_metrics[pair[1]].threshold)} See docs/alarms.md."
    } if contains(local.function_metrics[pair[1]].function_keys, pair[0])
  }

  service_alarms = local.create_alarms ? {
    on_failure_queue_depth = {
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = local.queue_name }
      statistic   = "Maximum"
      threshold   = local.thresholds.on_failure_queue_messages
      description = "At least ${local.thresholds.on_failure_queue_messages} record(s) of stream batches the processor gave up on or of worker events Lambda gave up on wait in ${local.queue_name}: inspect and replay them (docs/alarms.md)."
    }
    stream_iterator_age = {
      namespace   = "AWS/Lambda"
      metric_name = "IteratorAge"
      dimensions  = { FunctionName = local.functions[local.stream_function_key].name }
      statistic   = "Maximum"
      threshold   = local.thresholds.stream_iterator_age_ms
      description = "The tracker table's stream reached the ${local.stream_function_key} at least ${local.thresholds.stream_iterator_age_ms} ms after its records were written: requests wait before their work starts. See docs/alarms.md."
    }
  } : {}

  log_metric_alarms = {
    for key, metric in local.log_metrics : key => {
      namespace   = local.alarm_metric_namespace
      metric_name = metric.metric_name
      dimensions  = {}
      statistic   = "Sum"
      threshold   = local.thresholds[key]
      description = "The ${metric.function} logged at least ${local.thresholds[key]} line(s) matching ${metric.pattern} in a period. See docs/alarms.md."
    }
  }

  alarms = merge(local.service_alarms, local.function_alarms, local.log_metric_alarms)
}

resource "aws_cloudwatch_log_metric_filter" "this" {
  for_each = local.log_metrics

  name           = "${var.name}-${replace(each.key, "_", "-")}"
  log_group_name = aws_cloudwatch_log_group.this[each.value.function].name
  pattern        = each.value.pattern

  metric_transformation {
    namespace = local.alarm_metric_namespace
    name      = each.value.metric_name
    value     = "1"
    unit      = "Count"
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name        = "${var.name}-${replace(each.key, "_", "-")}"
  alarm_description = each.value.description

  namespace   = each.value.namespace
  metric_name = each.value.metric_name
  dimensions  = length(each.value.dimensions) > 0 ? each.value.dimensions : null
  statistic   = each.value.statistic
  period      = var.alarms.period_seconds

  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = each.value.threshold
  evaluation_periods  = var.alarms.evaluation_periods
  datapoints_to_alarm = coalesce(var.alarms.datapoints_to_alarm, var.alarms.evaluation_periods)
  # Every metric here is absent when nothing happens (no invocation, no record, an idle
  # queue, no matching line): no data is good news, not a reason to page.
  treat_missing_data = "notBreaching"

  actions_enabled = true
  alarm_actions   = var.alarm_actions
  ok_actions      = var.ok_actions

  tags = local.tags

  depends_on = [
    aws_lambda_function.this,
    aws_sqs_queue.on_failure,
    aws_cloudwatch_log_metric_filter.this,
  ]
}

locals {
  # Region of the deployment, for the dashboard's metric widgets (known after apply).
  dashboard_region = local.create_dashboard ? element(split(":", aws_sqs_queue.on_failure[0].arn), 3) : null

  dashboard_metric_widgets = local.create_dashboard ? concat(
    [
      for key, function in local.alarm_functions : {
        title = "${key}: invocations, errors, throttles"
        metrics = [for metric in concat(["Invocations", "Errors", "Throttles"], function.async ? ["AsyncEventsDropped"] : [], function.destination ? ["DestinationDeliveryFailures"] : []) :
          ["AWS/Lambda", metric, "FunctionName", function.name]
        ]
        stat = "Sum"
      }
    ],
    [
      {
        title   = "On-failure queue: messages visible"
        metrics = [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", local.queue_name]]
        stat    = "Maximum"
      },
      {
        title = "Stream iterator age and async event age (ms)"
        metrics = concat(
          [["AWS/Lambda", "IteratorAge", "FunctionName", local.functions[local.stream_function_key].name]],
          [for key, function in local.alarm_functions : ["AWS/Lambda", "AsyncEventAge", "FunctionName", function.name] if function.async],
        )
        stat = "Maximum"
      },
      {
        title   = "From the logs: checker UNKNOWN answers, writer failures"
        metrics = [for key, metric in local.log_metrics : [local.alarm_metric_namespace, metric.metric_name]]
        stat    = "Sum"
      },
    ],
  ) : []
}

resource "aws_cloudwatch_dashboard" "this" {
  count = local.create_dashboard ? 1 : 0

  dashboard_name = "${var.name}-async-tracker"
  # Dashboard body structure:
  # https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
  dashboard_body = jsonencode({
    widgets = concat(
      [{
        type   = "alarm"
        x      = 0
        y      = 0
        width  = 24
        height = 4
        properties = {
          title  = "Alarms"
          alarms = [for alarm in aws_cloudwatch_metric_alarm.this : alarm.arn]
        }
      }],
      [
        for index, widget in local.dashboard_metric_widgets : {
          type   = "metric"
          x      = (index % 2) * 12
          y      = 4 + floor(index / 2) * 6
          width  = 12
          height = 6
          properties = {
            title   = widget.title
            region  = local.dashboard_region
            metrics = widget.metrics
            stat    = widget.stat
            period  = var.alarms.period_seconds
            view    = "timeSeries"
          }
        }
      ],
    )
  })
}
