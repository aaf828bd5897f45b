namespace SwfServerless.Core.Faults;

/// <summary>
/// One of the faults SWF's model declares, or an AWS protocol error. The protocol layer turns it into
/// HTTP 400 with <c>{"__type": "...#Name", "message": "..."}</c>; nothing here knows about HTTP.
/// </summary>
public class SwfFault(string type, string message) : Exception(message)
{
    /// <summary>The fault's short name, e.g. <c>UnknownResourceFault</c> or <c>ValidationException</c>.</summary>
    public string Type { get; } = type;

    /// <summary>HTTP status of the error answer: 400, as AWS JSON-protocol services answer every fault, signature errors included.</summary>
    public int StatusCode { get; init; } = 400;

    /// <summary>The namespaced <c>__type</c> AWS clients map to their typed exceptions.</summary>
    public string WireType => Type switch
    {
        "ValidationException" => "com.amazon.coral.validate#ValidationException",
        "ThrottlingException" => "com.amazon.coral.availability#ThrottlingException",
        "SerializationException" or "UnknownOperationException" or "InternalFailure" or "ServiceUnavailable"
            => "com.amazon.coral.service#" + Type,
        _ when Type.EndsWith("Exception", StringComparison.Ordinal) => "com.amazon.coral.service#" + Type,
        _ => "com.amazonaws.swf.base.model#" + Type,
    };

    public static SwfFault UnknownResource(string message) => new("UnknownResourceFault", message);
    public static SwfFault DomainAlreadyExists(string message) => new("DomainAlreadyExistsFault", message);
    public static SwfFault DomainDeprecated(string message) => new("DomainDeprecatedFault", message);
    public static SwfFault TypeAlreadyExists(string message) => new("TypeAlreadyExistsFault", message);
    public static SwfFault TypeDeprecated(string message) => new("TypeDeprecatedFault", message);
    public static SwfFault TypeNotDeprecated(string message) => new("TypeNotDeprecatedFault", message);
    public static SwfFault DefaultUndefined(string message) => new("DefaultUndefinedFault", message);
    public static SwfFault WorkflowExecutionAlreadyStarted(string message) => new("WorkflowExecutionAlreadyStartedFault", message);
    public static SwfFault LimitExceeded(string message) => new("LimitExceededFault", message);
    public static SwfFault OperationNotPermitted(string message) => new("OperationNotPermittedFault", message);
    public static SwfFault TooManyTags(string message) => new("TooManyTagsFault", message);
    public static SwfFault Validation(string message) => new("ValidationException", message);
    public static SwfFault Serialization(string message) => new("SerializationException", message);
    public static SwfFault UnknownOperation(string message) => new("UnknownOperationException", message);

    /// <summary>A call past its token bucket (HTTP 400, as AWS answers it): the AWS SDKs retry it with back-off.</summary>
    public static SwfFault Throttling(string message) => new("ThrottlingException", message);
}
