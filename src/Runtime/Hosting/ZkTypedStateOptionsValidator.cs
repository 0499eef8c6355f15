using Microsoft.Extensions.Options;

namespace ZkTypedState;

/// <summary>
/// Runs <see cref="ZkTypedStateOptions.Validate"/> through Microsoft.Extensions.Options, so a bad setting surfaces as an
/// <see cref="OptionsValidationException"/> with the option's own message when the host starts (ValidateOnStart).
/// </summary>
internal sealed class ZkTypedStateOptionsValidator : IValidateOptions<ZkTypedStateOptions>
{
    public ValidateOptionsResult Validate(string? name, ZkTypedStateOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
