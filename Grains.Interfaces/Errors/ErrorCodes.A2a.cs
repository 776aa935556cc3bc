namespace OrleansAgents.Errors;

/// <summary>Codes carried in A2A JSON-RPC errors (<c>error.data[0].metadata.code</c>), next to the protocol's numeric code.</summary>
public static partial class ErrorCodes
{
    public const string A2aParseError = "a2a.parse_error";
    public const string A2aInvalidRequest = "a2a.invalid_request";
    public const string A2aMethodNotFound = "a2a.method_not_found";
    public const string A2aInvalidParams = "a2a.invalid_params";
    public const string A2aTaskNotFound = "a2a.task_not_found";
    public const string A2aTaskNotCancelable = "a2a.task_not_cancelable";
    public const string A2aUnsupported = "a2a.unsupported_operation";
    public const string A2aContentTypeNotSupported = "a2a.content_type_not_supported";
    public const string A2aPushNotSupported = "a2a.push_notifications_not_supported";
    public const string A2aVersionNotSupported = "a2a.version_not_supported";
    public const string A2aContextNotFound = "a2a.context_not_found";
}
