using System.Diagnostics.CodeAnalysis;
using SwfServerless.Core.Model;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Operations.Executions;
using SwfServerless.Storage.Executions;
using SwfServerless.Storage.Tasks;
using SwfServerless.Storage.Visibility;
using SwfServerless.Service.Operations.Domains;
using SwfServerless.Service.Operations.Tags;
using SwfServerless.Service.Operations.Types;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Domains;
using SwfServerless.Storage.Types;

namespace SwfServerless.Service.Operations;

/// <summary>The route table: every SWF operation this service answers, and its handler.</summary>
public static class OperationCatalog
{
    public static IServiceCollection AddSwfOperations(this IServiceCollection services)
    {
        services.AddSingleton<DomainRepository>();
        services.AddSingleton<TypeRepository>();
        services.AddSingleton<RegistryCache>();
        services.AddSingleton<ServiceContext>();
        services.AddSingleton<TypeCatalog>();
        services.AddSingleton<QuotaGuard>();
        services.AddSingleton<Throttle>();
        services.AddSingleton<ExecutionRepository>();
        services.AddSingleton<VisibilityRepository>();
        services.AddSingleton<RunLocks>();
        services.AddSingleton<ExecutionEngine>();
        services.AddSingleton<ExecutionFinder>();
        services.AddSingleton<TaskDispatch>();
        services.AddSingleton<TaskPoller>();
        services.AddSingleton<PendingTasks>();
        services.AddSingleton<HistoryPages>();
        services.AddSingleton<TaskTokenService>();

        var registry = new OperationRegistry();
        void Add<TInput, TOutput, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(string name)
            where THandler : class, ISwfOperation<TInput, TOutput>
        {
            services.AddSingleton<THandler>();
            registry.Add<TInput, TOutput, THandler>(name);
        }

        Add<RegisterDomainInput, NoOutput, RegisterDomain>("RegisterDomain");
        Add<DescribeDomainInput, DomainDetail, DescribeDomain>("DescribeDomain");
        Add<ListDomainsInput, Core.Model.DomainInfos, ListDomains>("ListDomains");
        Add<DeprecateDomainInput, NoOutput, DeprecateDomain>("DeprecateDomain");
        Add<UndeprecateDomainInput, NoOutput, UndeprecateDomain>("UndeprecateDomain");

        Add<RegisterActivityTypeInput, NoOutput, RegisterActivityType>("RegisterActivityType");
        Add<DescribeActivityTypeInput, ActivityTypeDetail, DescribeActivityType>("DescribeActivityType");
        Add<ListActivityTypesInput, ActivityTypeInfos, ListActivityTypes>("ListActivityTypes");
        Add<DeprecateActivityTypeInput, NoOutput, DeprecateActivityType>("DeprecateActivityType");
        Add<UndeprecateActivityTypeInput, NoOutput, UndeprecateActivityType>("UndeprecateActivityType");
        Add<DeleteActivityTypeInput, NoOutput, DeleteActivityType>("DeleteActivityType");

        Add<RegisterWorkflowTypeInput, NoOutput, RegisterWorkflowType>("RegisterWorkflowType");
        Add<DescribeWorkflowTypeInput, WorkflowTypeDetail, DescribeWorkflowType>("DescribeWorkflowType");
        Add<ListWorkflowTypesInput, WorkflowTypeInfos, ListWorkflowTypes>("ListWorkflowTypes");
        Add<DeprecateWorkflowTypeInput, NoOutput, DeprecateWorkflowType>("DeprecateWorkflowType");
        Add<UndeprecateWorkflowTypeInput, NoOutput, UndeprecateWorkflowType>("UndeprecateWorkflowType");
        Add<DeleteWorkflowTypeInput, NoOutput, DeleteWorkflowType>("DeleteWorkflowType");

        Add<TagResourceInput, NoOutput, TagResource>("TagResource");
        Add<UntagResourceInput, NoOutput, UntagResource>("UntagResource");
        Add<ListTagsForResourceInput, ListTagsForResourceOutput, ListTagsForResource>("ListTagsForResource");

        Add<StartWorkflowExecutionInput, Run, StartWorkflowExecution>("StartWorkflowExecution");
        Add<PollForDecisionTaskInput, DecisionTask, PollForDecisionTask>("PollForDecisionTask");
        Add<RespondDecisionTaskCompletedInput, NoOutput, RespondDecisionTaskCompleted>("RespondDecisionTaskCompleted");
        Add<PollForActivityTaskInput, ActivityTask, PollForActivityTask>("PollForActivityTask");
        Add<RecordActivityTaskHeartbeatInput, ActivityTaskStatus, RecordActivityTaskHeartbeat>("RecordActivityTaskHeartbeat");
        Add<RespondActivityTaskCompletedInput, NoOutput, RespondActivityTaskCompleted>("RespondActivityTaskCompleted");
        Add<RespondActivityTaskFailedInput, NoOutput, RespondActivityTaskFailed>("RespondActivityTaskFailed");
        Add<RespondActivityTaskCanceledInput, NoOutput, RespondActivityTaskCanceled>("RespondActivityTaskCanceled");
        Add<SignalWorkflowExecutionInput, NoOutput, SignalWorkflowExecution>("SignalWorkflowExecution");
        Add<RequestCancelWorkflowExecutionInput, NoOutput, RequestCancelWorkflowExecution>("RequestCancelWorkflowExecution");
        Add<TerminateWorkflowExecutionInput, NoOutput, TerminateWorkflowExecution>("TerminateWorkflowExecution");
        Add<DescribeWorkflowExecutionInput, WorkflowExecutionDetail, DescribeWorkflowExecution>("DescribeWorkflowExecution");
        Add<GetWorkflowExecutionHistoryInput, History, GetWorkflowExecutionHistory>("GetWorkflowExecutionHistory");
        Add<ListOpenWorkflowExecutionsInput, WorkflowExecutionInfos, ListOpenWorkflowExecutions>("ListOpenWorkflowExecutions");
        Add<ListClosedWorkflowExecutionsInput, WorkflowExecutionInfos, ListClosedWorkflowExecutions>("ListClosedWorkflowExecutions");
        Add<CountOpenWorkflowExecutionsInput, WorkflowExecutionCount, CountOpenWorkflowExecutions>("CountOpenWorkflowExecutions");
        Add<CountClosedWorkflowExecutionsInput, WorkflowExecutionCount, CountClosedWorkflowExecutions>("CountClosedWorkflowExecutions");
        Add<CountPendingActivityTasksInput, PendingTaskCount, CountPendingActivityTasks>("CountPendingActivityTasks");
        Add<CountPendingDecisionTasksInput, PendingTaskCount, CountPendingDecisionTasks>("CountPendingDecisionTasks");

        services.AddSingleton(registry);
        return services;
    }
}
