using Microsoft.AspNetCore.Http.HttpResults;

namespace OrleansNotifications.Server.Http;

/// <summary>RFC 9457 problem results. Type URIs are URNs, stable identifiers clients can match on.</summary>
public static class Problems
{
    public const string TypePrefix = "urn:orleans-notifications:problem:";

    public static ProblemHttpResult Validation(ValidationErrors errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors.ToDictionary())
        {
            Type = TypePrefix + "validation",
            Title = "The request is invalid.",
            Status = StatusCodes.Status400BadRequest,
            Detail = errors.Summary,
        });

    public static ProblemHttpResult Invalid(string field, string message) =>
        Validation(new ValidationErrors().Add(field, message));

    public static ProblemHttpResult NotFound(string detail) =>
        Problem(StatusCodes.Status404NotFound, "not-found", "Not found.", detail);

    public static ProblemHttpResult Problem(int status, string type, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: TypePrefix + type);
}
