using System.Text.Json;

namespace SmsGateway.Dispatch;

/// <summary>
/// Builds operator clients for one <c>connection.type</c> of <c>operator.json</c> (for example <c>smpp</c>; the
/// built-in <c>simulator</c> needs none). Registered in DI; the dispatcher picks the factory whose <see cref="Type"/>
/// matches each operator's connection and (re)creates the client when the operator's connection changes on reload.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public interface IOperatorConnectionFactory
{
    /// <summary>The <c>connection.type</c> value this factory serves, lower case (e.g. <c>smpp</c>).</summary>
    string Type { get; }

    /// <summary>Checks one operator's <c>connection</c> object.</summary>
    /// <param name="operatorName">Operator name, used in messages.</param>
    /// <param name="connection">The operator's <c>connection</c> JSON object.</param>
    /// <exception cref="ArgumentException">A key is missing or invalid; the message names it (e.g. <c>operators[MCI].connection.port</c>).</exception>
    void Validate(string operatorName, JsonElement connection);

    /// <summary>Creates a client for one operator (it connects in the background and is disposed when replaced or on shutdown).</summary>
    /// <param name="operatorName">Operator name from <c>operator.json</c>.</param>
    /// <param name="connection">The operator's validated <c>connection</c> JSON object.</param>
    /// <returns>The client; <see cref="IAsyncDisposable"/> when it holds connections.</returns>
    /// <exception cref="ArgumentException">The connection object is invalid.</exception>
    IOperatorClient Create(string operatorName, JsonElement connection);
}
