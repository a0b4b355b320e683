#include "access/ca_app_groups.h"

namespace portcullis::access {
namespace {

constexpr absl::string_view kOffice365[] = {
    "00000002-0000-0ff1-ce00-000000000000",  // Office 365 Exchange Online
    "00000003-0000-0ff1-ce00-000000000000",  // Office 365 SharePoint Online
    "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe",  // Microsoft Teams Services
    "1fec8e78-bce4-4aaf-ab1b-5451cc387264",  // Microsoft Teams
    "5e3ce6c0-2b1f-4285-8d4b-75ee78787346",  // Microsoft Teams Web Client
    "00000004-0000-0ff1-ce00-000000000000",  // Skype for Business Online
    "00000005-0000-0ff1-ce00-000000000000",  // Viva Engage
    "00000006-0000-0ff1-ce00-000000000000",  // Microsoft Office 365 Portal
    "00000007-0000-0ff1-ce00-000000000000",  // Exchange Online Protection
    "c9a559d2-7aab-4f13-a6ed-e7e9c52aec87",  // Microsoft Forms
    "d3590ed6-52b3-4102-aeff-aad2292ab01c",  // Microsoft Office
    "4345a7b9-9a63-4910-a426-35363201d503",  // O365 Suite UX
    "66a88757-258c-4c72-893c-3e8bed4d6899",  // Office 365 Search Service
    "94c63fef-13a3-47bc-8074-75af8c65887a",  // Office Delve
    "4b233688-031c-404b-9a80-a4f3f2351f90",  // Office.com
    "4765445b-32c6-49b0-83e6-1d93765276ca",  // OfficeHome
    "0f698dd4-f011-4d23-a33e-b36416dcb1e6",  // OfficeClientService
    "89bee1f7-5e6e-4d8a-9f3d-ecd601259da7",  // Office365 Shell WCSS-Client
    "93d53678-613d-4013-afc1-62e9e444a0a5",  // Office Online Add-in SSO
    "243c63a3-247d-41c5-9d83-7788c43f1c43",  // Office Online Core SSO
    "ab9b8c07-8f02-4f72-87fa-80105867a763",  // OneDrive SyncEngine
    "2d4d3d8e-2be3-4bef-9f87-7875a61c29de",  // OneNote
    "08e18876-6177-487e-b8b5-cf950c1e598c",  // SharePoint Online Web Client
                                             // Extensibility
    "905fcf26-4eb7-48a0-9ff0-8dcc7194b5ba",  // Sway
    "cf53fce8-def6-4aeb-8d30-b158e7b1cf83",  // Microsoft Stream Portal
    "95de633a-083e-42f5-b444-a4295d8e9314",  // Microsoft Whiteboard Services
    "944f0bd1-117b-4b1c-af26-804ed95e767e",  // Media Analysis and
                                             // Transformation Service
    "0cd196ee-71bf-4fd6-a57c-b491ffd4fb1e",  // the same service, second id
    "80ccca67-54bd-44ab-8625-4b79c4dc7775",  // Protection Center
};

constexpr absl::string_view kAdminPortals[] = {
    "497effe9-df71-4043-a8bb-14cf78c4b63b",  // Exchange Admin Center
    "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",  // Azure portal, Entra admin
                                             // center
    "00000006-0000-0ff1-ce00-000000000000",  // Microsoft Office 365 Portal
    "80ccca67-54bd-44ab-8625-4b79c4dc7775",  // Microsoft 365 Security and
                                             // Compliance Center
};

}  // namespace

absl::Span<const absl::string_view> Office365AppIds() { return kOffice365; }

absl::Span<const absl::string_view> AdminPortalAppIds() {
  return kAdminPortals;
}

}  // namespace portcullis::access
