using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>ScheduleLambdaFunction: this service runs no Lambda functions, as in a region without the Lambda integration.</summary>
    private void HandleScheduleLambdaFunction(ScheduleLambdaFunctionDecisionAttributes a, DecisionContext context) =>
        Append(new HistoryEvent
        {
            EventType = ET.ScheduleLambdaFunctionFailed,
            ScheduleLambdaFunctionFailedEventAttributes = new ScheduleLambdaFunctionFailedEventAttributes
            {
                Id = a.Id,
                Name = a.Name,
                Cause = ScheduleLambdaFunctionFailedCause.LambdaServiceNotAvailableInRegion,
                DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
            },
        });
}
