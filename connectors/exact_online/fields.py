"""Field names, Edm types and verbs per Exact Online endpoint (generated reference data).

Generated from ``shared/reference/exact-online/entities.json`` (DannyvdSluijs/
ExactOnlineRestApiReference ``meta-data.json`` @ a3e52c02, MIT; picqer/exact-php-client entity
docblocks @ 8b350573, MIT). Each entry is ``Name:Type:Verbs``; ``Type`` is the Edm type without
the ``Edm.`` prefix (``?`` when the reference has none; then it was taken from a same-named
field of another endpoint where possible) and ``Verbs`` the verbs the reference flags for the
field (G get, P post, U put, D delete; ``-`` when unknown). Both the connector (to build
``$select`` lists and literals) and the sandbox (to shape records and reject unknown fields)
read this table, so no field outside the reference can creep in.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """One documented field of an endpoint."""

    name: str
    edm: str
    verbs: str


_RAW: dict[str, tuple[str, str]] = {
    "crm/Accounts": (
        "ID",
        "ID:Guid:GPUD Accountant:Guid:GPU AccountManager:Guid:GPU AccountManagerFullName:String:G "
        "AccountManagerHID:Int32:G ActivitySector:Guid:GPU ActivitySubSector:Guid:GPU "
        "AddressLine1:String:GPU AddressLine2:String:GPU AddressLine3:String:GPU "
        "BankAccounts:BankAccounts:G Blocked:Boolean:GPU BRIN:Guid:G BSN:String:GPU "
        "BusinessType:Guid:GPU CanDropShip:Boolean:GPU ChamberOfCommerce:String:GPU "
        "City:String:GPU Classification:String:G Classification1:Guid:GPU "
        "Classification2:Guid:GPU Classification3:Guid:GPU Classification4:Guid:GPU "
        "Classification5:Guid:GPU Classification6:Guid:GPU Classification7:Guid:GPU "
        "Classification8:Guid:GPU ClassificationDescription:String:G Code:String:GPU "
        "CodeAtSupplier:String:GPU CompanySize:Guid:GPU ConsolidationScenario:Byte:GPU "
        "ControlledDate:DateTime:GPU Costcenter:String:G CostcenterDescription:String:G "
        "CostPaid:Byte:G Country:String:GPU CountryName:String:G Created:DateTime:G "
        "Creator:Guid:G CreatorFullName:String:G CreditLinePurchase:Double:GPU "
        "CreditLineSales:Double:GPU Currency:String:G CustomerSince:DateTime:G "
        "DatevCreditorCode:String:GPU DatevDebtorCode:String:GPU DeliveryAdvice:Byte:GPU "
        "DiscountPurchase:Double:GPU DiscountSales:Double:GPU Division:Int32:G Document:Guid:G "
        "DunsNumber:String:G Email:String:GPU EndDate:DateTime:GPU EstablishedDate:DateTime:GPU "
        "Fax:String:GPU GLAccountPurchase:Guid:GPU GLAccountSales:Guid:GPU GLAP:Guid:GPU "
        "GLAR:Guid:GPU GlnNumber:String:GPU HasWithholdingTaxSales:Boolean:GPU "
        "IgnoreDatevWarningMessage:Boolean:GPU IncotermAddressPurchase:String:GPU "
        "IncotermAddressSales:String:GPU IncotermCodePurchase:String:GPU "
        "IncotermCodeSales:String:GPU IncotermVersionPurchase:Int16:GPU "
        "IncotermVersionSales:Int16:GPU IntraStatArea:String:GPU IntraStatDeliveryTerm:String:GPU "
        "IntraStatSystem:String:GPU IntraStatTransactionA:String:GPU "
        "IntraStatTransactionB:String:GPU IntraStatTransportMethod:String:GPU "
        "InvoiceAccount:Guid:GPU InvoiceAccountCode:String:G InvoiceAccountName:String:G "
        "InvoiceAttachmentType:Int32:GPU InvoicingMethod:Int32:GPU IsAccountant:Byte:GPU "
        "IsAgency:Byte:GPU IsAnonymised:Byte:G IsBank:Boolean:G IsCompetitor:Byte:GPU "
        "IsExtraDuty:Boolean:GPU IsMailing:Byte:GPU IsMember:Boolean:G IsPilot:Boolean:GPU "
        "IsPurchase:Boolean:G IsReseller:Boolean:GPU IsSales:Boolean:G IsSupplier:Boolean:GPU "
        "Language:String:GPU LanguageDescription:String:G Latitude:Double:GPU "
        "LeadPurpose:Guid:GPU LeadSource:Guid:GPU Logo:Binary:GPU LogoFileName:String:GPU "
        "LogoThumbnailUrl:String:G LogoUrl:String:G Longitude:Double:GPU MainContact:Guid:GPU "
        "Modified:DateTime:G Modifier:Guid:G ModifierFullName:String:G Name:String:GPU "
        "OINNumber:String:GPU Parent:Guid:GPU PayAsYouEarn:String:GPU "
        "PaymentConditionPurchase:String:GPU PaymentConditionPurchaseDescription:String:G "
        "PaymentConditionSales:String:GPU PaymentConditionSalesDescription:String:G "
        "Phone:String:GPU PhoneExtension:String:GPU Postcode:String:GPU PriceList:Guid:GPU "
        "PurchaseCurrency:String:GPU PurchaseCurrencyDescription:String:G "
        "PurchaseLeadDays:Int32:GPU PurchaseVATCode:String:GPU "
        "PurchaseVATCodeDescription:String:G RecepientOfCommissions:Boolean:GPU "
        "Remarks:String:GPU Reseller:Guid:GPU ResellerCode:String:G ResellerName:String:G "
        "RSIN:String:GPU SalesCurrency:String:GPU SalesCurrencyDescription:String:G "
        "SalesTaxSchedule:Guid:GPU SalesTaxScheduleCode:String:G "
        "SalesTaxScheduleDescription:String:G SalesVATCode:String:GPU "
        "SalesVATCodeDescription:String:G SearchCode:String:GPU SecurityLevel:Int32:GPU "
        "SeparateInvPerProject:Byte:GPU SeparateInvPerSubscription:Byte:GPU "
        "ShippingLeadDays:Int32:GPU ShippingMethod:Guid:GPU ShowRemarkForSales:Boolean:GPU "
        "StartDate:DateTime:GPU State:String:GPU StateName:String:G Status:String:GPU "
        "StatusSince:DateTime:G TradeName:String:GPU Type:String:G "
        "UniqueTaxpayerReference:String:GPU VATLiability:String:GPU VATNumber:String:GPU "
        "Website:String:GPU AutomaticProcessProposedEntry:?:- CustomField:?:- "
        "EnableSalesPaymentLink:?:- EORINumber:?:- PeppolIdentifier:?:- PeppolIdentifierType:?:-",
    ),
    "crm/Contacts": (
        "ID",
        "ID:Guid:GPUD Account:Guid:GP AccountIsCustomer:Boolean:G AccountIsSupplier:Boolean:G "
        "AccountMainContact:Guid:G AccountName:String:G AddressLine2:String:G "
        "AddressStreet:String:G AddressStreetNumber:String:G AddressStreetNumberSuffix:String:G "
        "AllowMailing:Int32:G BirthDate:DateTime:GPU BirthName:String:GPU "
        "BirthNamePrefix:String:GPU BirthPlace:String:GPU BusinessEmail:String:GPU "
        "BusinessFax:String:GPU BusinessMobile:String:GPU BusinessPhone:String:GPU "
        "BusinessPhoneExtension:String:GPU City:String:G Code:String:G Country:String:G "
        "Created:DateTime:G Creator:Guid:G CreatorFullName:String:G Division:Int32:G "
        "Email:String:GPU EndDate:DateTime:GPU FirstName:String:GPU FullName:String:G "
        "Gender:String:GPU HID:Int32:GPU IdentificationDate:DateTime:GPU "
        "IdentificationDocument:Guid:GPU IdentificationUser:Guid:GPU Initials:String:GPU "
        "IsAnonymised:Byte:G IsMailingExcluded:Boolean:GPU IsMainContact:Boolean:G "
        "JobTitleDescription:String:GPU Language:String:GPU LastName:String:GPU "
        "LeadPurpose:Guid:GPU LeadSource:Guid:GPU MarketingNotes:String:GPU MiddleName:String:GPU "
        "Mobile:String:GPU Modified:DateTime:G Modifier:Guid:G ModifierFullName:String:G "
        "Nationality:String:GPU Notes:String:GPU PartnerName:String:G PartnerNamePrefix:String:G "
        "Person:Guid:GPU Phone:String:GPU PhoneExtension:String:G Picture:Binary:GPU "
        "PictureName:String:GPU PictureThumbnailUrl:String:G PictureUrl:String:G "
        "Postcode:String:G SocialSecurityNumber:String:GPU StartDate:DateTime:GPU State:String:G "
        "Title:String:GPU CustomField:?:- TitleAbbreviation:?:- TitleDescription:?:-",
    ),
    "crm/Addresses": (
        "ID",
        "ID:Guid:GPUD Account:Guid:GPU AccountIsSupplier:Boolean:G AccountName:String:G "
        "AddressLine1:String:GPU AddressLine2:String:GPU AddressLine3:String:GPU City:String:GPU "
        "Contact:Guid:GPU ContactName:String:G Country:String:GPU CountryName:String:G "
        "Created:DateTime:G Creator:Guid:G CreatorFullName:String:G Division:Int32:G "
        "Fax:String:GPU FreeBoolField_01:Boolean:GPU FreeBoolField_02:Boolean:GPU "
        "FreeBoolField_03:Boolean:GPU FreeBoolField_04:Boolean:GPU FreeBoolField_05:Boolean:GPU "
        "FreeDateField_01:DateTime:GPU FreeDateField_02:DateTime:GPU "
        "FreeDateField_03:DateTime:GPU FreeDateField_04:DateTime:GPU "
        "FreeDateField_05:DateTime:GPU FreeNumberField_01:Double:GPU "
        "FreeNumberField_02:Double:GPU FreeNumberField_03:Double:GPU "
        "FreeNumberField_04:Double:GPU FreeNumberField_05:Double:GPU FreeTextField_01:String:GPU "
        "FreeTextField_02:String:GPU FreeTextField_03:String:GPU FreeTextField_04:String:GPU "
        "FreeTextField_05:String:GPU Mailbox:String:GPU Main:Boolean:GPU Modified:DateTime:G "
        "Modifier:Guid:G ModifierFullName:String:G NicNumber:String:GPU Notes:String:GPU "
        "Phone:String:GPU PhoneExtension:String:GPU Postcode:String:GPU State:String:GPU "
        "StateDescription:String:G Type:Int16:GPU Warehouse:Guid:GPU WarehouseCode:String:G "
        "WarehouseDescription:String:G CustomField:?:-",
    ),
    "logistics/Items": (
        "ID",
        "ID:Guid:GPUD AverageCost:Double:GP Barcode:String:GPU Class_01:String:GPU "
        "Class_02:String:GPU Class_03:String:GPU Class_04:String:GPU Class_05:String:GPU "
        "Class_06:String:GPU Class_07:String:GPU Class_08:String:GPU Class_09:String:GPU "
        "Class_10:String:GPU Code:String:GPU CopyRemarks:Byte:GPU CostPriceCurrency:String:GPU "
        "CostPriceNew:Double:GPU CostPriceStandard:Double:GP Created:DateTime:G Creator:Guid:G "
        "CreatorFullName:String:G Description:String:GPU Division:Int32:G EndDate:DateTime:GPU "
        "ExtraDescription:String:GPU FreeBoolField_01:Boolean:GPU FreeBoolField_02:Boolean:GPU "
        "FreeBoolField_03:Boolean:GPU FreeBoolField_04:Boolean:GPU FreeBoolField_05:Boolean:GPU "
        "FreeDateField_01:DateTime:GPU FreeDateField_02:DateTime:GPU "
        "FreeDateField_03:DateTime:GPU FreeDateField_04:DateTime:GPU "
        "FreeDateField_05:DateTime:GPU FreeNumberField_01:Double:GPU "
        "FreeNumberField_02:Double:GPU FreeNumberField_03:Double:GPU "
        "FreeNumberField_04:Double:GPU FreeNumberField_05:Double:GPU "
        "FreeNumberField_06:Double:GPU FreeNumberField_07:Double:GPU "
        "FreeNumberField_08:Double:GPU FreeTextField_01:String:GPU FreeTextField_02:String:GPU "
        "FreeTextField_03:String:GPU FreeTextField_04:String:GPU FreeTextField_05:String:GPU "
        "FreeTextField_06:String:GPU FreeTextField_07:String:GPU FreeTextField_08:String:GPU "
        "FreeTextField_09:String:GPU FreeTextField_10:String:GPU GLCosts:Guid:GPU "
        "GLCostsCode:String:G GLCostsDescription:String:G GLRevenue:Guid:GPU "
        "GLRevenueCode:String:G GLRevenueDescription:String:G GLStock:Guid:GPU "
        "GLStockCode:String:G GLStockDescription:String:G GrossWeight:Double:GPU "
        "IsBatchItem:Byte:GPU IsBatchNumberItem:Byte:GPU IsFractionAllowedItem:Boolean:GPU "
        "IsMakeItem:Byte:GPU IsNewContract:Byte:GPU IsOnDemandItem:Byte:GPU "
        "IsPackageItem:Boolean:GPU IsPurchaseItem:Boolean:GPU IsRegistrationCodeItem:Byte:GPU "
        "IsSalesItem:Boolean:GPU IsSerialItem:Boolean:GPU IsSerialNumberItem:Boolean:GPU "
        "IsStockItem:Boolean:GPU IsSubcontractedItem:Boolean:GPU IsTaxableItem:Byte:GPU "
        "IsTime:Byte:GPU IsWebshopItem:Byte:GPU ItemGroup:Guid:GPU ItemGroupCode:String:G "
        "ItemGroupDescription:String:G Modified:DateTime:G Modifier:Guid:G "
        "ModifierFullName:String:G NetWeight:Double:GPU NetWeightUnit:String:GPU Notes:String:GPU "
        "PictureName:String:G PictureThumbnailUrl:String:G PictureUrl:String:G "
        "SalesVatCode:String:GPU SalesVatCodeDescription:String:G SearchCode:String:GPU "
        "SecurityLevel:Int32:GPU StandardSalesPrice:Double:G StartDate:DateTime:GPU "
        "StatisticalCode:String:G StatisticalNetWeight:Double:G StatisticalUnits:Double:G "
        "StatisticalValue:Double:G Stock:Double:G Unit:String:GPU UnitDescription:String:G "
        "UnitType:String:G CustomField:?:- Picture:Binary:-",
    ),
    "logistics/ItemGroups": (
        "ID",
        "ID:Guid:GPUD Code:String:GPU Created:DateTime:G Creator:Guid:G CreatorFullName:String:G "
        "Description:String:GPU Division:Int32:G GLCosts:Guid:GPU GLCostsCode:String:G "
        "GLCostsDescription:String:G GLPurchaseAccount:Guid:GPU GLPurchaseAccountCode:String:G "
        "GLPurchaseAccountDescription:String:G GLPurchasePriceDifference:Guid:GPU "
        "GLPurchasePriceDifferenceCode:String:G GLPurchasePriceDifferenceDescr:String:G "
        "GLRevenue:Guid:GPU GLRevenueCode:String:G GLRevenueDescription:String:G GLStock:Guid:GPU "
        "GLStockCode:String:G GLStockDescription:String:G GLStockVariance:Guid:GPU "
        "GLStockVarianceCode:String:G GLStockVarianceDescription:String:G IsDefault:Byte:GPU "
        "Modified:DateTime:G Modifier:Guid:G ModifierFullName:String:G Notes:String:GPU",
    ),
    "logistics/SalesItemPrices": (
        "ID",
        "ID:Guid:GPUD Account:Guid:GPU AccountName:String:G Created:DateTime:G Creator:Guid:G "
        "CreatorFullName:String:G Currency:String:GPU DefaultItemUnit:String:G "
        "DefaultItemUnitDescription:String:G Division:Int32:G EndDate:DateTime:GPU Item:Guid:GPU "
        "ItemCode:String:G ItemDescription:String:G Modified:DateTime:G Modifier:Guid:G "
        "ModifierFullName:String:G NumberOfItemsPerUnit:Double:GPU Price:Double:GPU "
        "Quantity:Double:GPU StartDate:DateTime:GPU Unit:String:GPU UnitDescription:String:G "
        "Barcode:String:- Employee:Guid:- Project:Guid:- ProjectDescription:String:-",
    ),
    "logistics/Units": (
        "ID",
        "ID:Guid:GPUD Active:Boolean:GPU Code:String:GPU Description:String:GPU Division:Int32:G "
        "Main:Byte:GPU TimeUnit:String:GPU Type:String:GPU",
    ),
    "logistics/ItemVersions": (
        "ID",
        "ID:Guid:GPUD BatchQuantity:Double:GPU CalculatedCostPrice:Double:GPU Created:DateTime:G "
        "Creator:Guid:G CreatorFullName:String:G Description:String:GPU Division:Int32:G "
        "IsDefault:Byte:GPU Item:Guid:GPU ItemDescription:String:G LeadTime:Int32:GPU "
        "Modified:DateTime:G Modifier:Guid:G ModifierFullName:String:G Notes:String:GPU "
        "Status:Int16:GPU StatusDescription:String:G Type:Int16:GPU TypeDescription:String:G "
        "VersionDate:DateTime:GPU VersionNumber:Int32:G",
    ),
    "read/logistics/ItemExtraField": (
        "ID",
        "Description:String:G ItemID:Guid:G Modified:DateTime:G Number:Int32:G Value:String:G",
    ),
    "logistics/ItemAssortment": (
        "ID",
        "ID:Guid:GPUD Code:Int32:GPU Description:String:GPU Division:Int32:GPU "
        "Properties:Properties:GPU",
    ),
    "logistics/ItemAssortmentProperty": (
        "ID",
        "ID:Guid:GPUD Code:String:GPU Description:String:GPU Division:Int32:GPU "
        "ItemAssortmentCode:Int32:GPU",
    ),
    "read/logistics/StockPosition": (
        "ID",
        "InStock:Double:GPU ItemId:Guid:GPU PlanningIn:Double:GPU PlanningOut:Double:GPU "
        "FreeStock:Double:- ProjectedStock:Double:- ReservedStock:Double:-",
    ),
    "inventory/ItemWarehouses": (
        "ID",
        "ID:Guid:GPUD CountingCycle:Int16:GPU Created:DateTime:G Creator:Guid:G "
        "CreatorFullName:String:G CurrentStock:Double:G DefaultStorageLocation:Guid:GPU "
        "DefaultStorageLocationCode:String:G DefaultStorageLocationDescription:String:G "
        "Division:Int32:G Item:Guid:GP ItemBarcode:String:G ItemCode:String:G "
        "ItemDescription:String:G ItemEndDate:DateTime:G ItemIsFractionAllowedItem:Boolean:G "
        "ItemIsStockItem:Boolean:G ItemStartDate:DateTime:G ItemUnit:String:G "
        "ItemUnitDescription:String:G MaximumStock:Double:GPU Modified:DateTime:G Modifier:Guid:G "
        "ModifierFullName:String:G NextCountingCycle:DateTime:G OrderPolicy:Int16:GPU "
        "Period:Int16:GPU PlannedStockIn:Double:G PlannedStockOut:Double:G "
        "PlanningDetailsUrl:String:G ProjectedStock:Double:G ReorderPoint:Double:GPU "
        "ReorderQuantity:Double:GPU ReplenishmentType:Int16:GPU ReservedStock:Double:G "
        "SafetyStock:Double:GPU StorageLocationUrl:String:G Warehouse:Guid:GP "
        "WarehouseCode:String:G WarehouseDescription:String:G StorageLocationSequenceNumber:?:-",
    ),
    "inventory/Warehouses": (
        "ID",
        "ID:Guid:GPUD Code:String:GPU Created:DateTime:G Creator:Guid:G CreatorFullName:String:G "
        "DefaultStorageLocation:Guid:G DefaultStorageLocationCode:String:G "
        "DefaultStorageLocationDescription:String:G Description:String:GPU Division:Int32:G "
        "EMail:String:GPU Main:Byte:GPU ManagerUser:Guid:GPU Modified:DateTime:G Modifier:Guid:G "
        "ModifierFullName:String:G UseStorageLocations:Byte:GPU",
    ),
    "salesorder/SalesOrders": (
        "OrderID",
        "OrderID:Guid:GPU AmountDC:Double:G AmountDiscount:Double:GPU "
        "AmountDiscountExclVat:Double:GPU AmountFC:Double:G AmountFCExclVat:Double:G "
        "ApprovalStatus:Int16:G ApprovalStatusDescription:String:G Approved:DateTime:G "
        "Approver:Guid:G ApproverFullName:String:G Created:DateTime:G Creator:Guid:G "
        "CreatorFullName:String:G Currency:String:GPU DeliverTo:Guid:GP "
        "DeliverToContactPerson:Guid:GPU DeliverToContactPersonFullName:String:G "
        "DeliverToName:String:G DeliveryAddress:Guid:GPU DeliveryDate:DateTime:GPU "
        "DeliveryStatus:Int16:G DeliveryStatusDescription:String:G Description:String:GPU "
        "Discount:Double:GPU Division:Int32:G Document:Guid:GPU DocumentNumber:Int32:G "
        "DocumentSubject:String:G IncotermAddress:String:GPU IncotermCode:String:GPU "
        "IncotermVersion:Int16:GPU InvoiceStatus:Int16:G InvoiceStatusDescription:String:G "
        "InvoiceTo:Guid:GP InvoiceToContactPerson:Guid:GPU "
        "InvoiceToContactPersonFullName:String:G InvoiceToName:String:G Modified:DateTime:G "
        "Modifier:Guid:G ModifierFullName:String:G OrderDate:DateTime:GPU OrderedBy:Guid:GP "
        "OrderedByContactPerson:Guid:GPU OrderedByContactPersonFullName:String:G "
        "OrderedByName:String:G OrderNumber:Int32:GPU PaymentCondition:String:GPU "
        "PaymentConditionDescription:String:G PaymentReference:String:GPU Remarks:String:GPU "
        "SalesChannel:Guid:GPU SalesChannelCode:String:G SalesChannelDescription:String:G "
        "SalesOrderLines:SalesOrderLines:GPU Salesperson:Guid:GPU SalespersonFullName:String:G "
        "SelectionCode:Guid:GPU SelectionCodeCode:String:G SelectionCodeDescription:String:G "
        "ShippingMethod:Guid:GPU ShippingMethodDescription:String:G Status:Int16:G "
        "StatusDescription:String:G TaxSchedule:Guid:GPU TaxScheduleCode:String:G "
        "TaxScheduleDescription:String:G WarehouseCode:String:G WarehouseDescription:String:G "
        "WarehouseID:Guid:GPU YourRef:String:GPU CustomField:?:- SalesOrderOrderChargeLines:?:-",
    ),
    "salesorder/SalesOrderLines": (
        "ID",
        "ID:Guid:GPUD AmountDC:Double:G AmountFC:Double:GPU CostCenter:String:GPU "
        "CostCenterDescription:String:G CostPriceFC:Double:G CostUnit:String:GPU "
        "CostUnitDescription:String:G CustomerItemCode:String:G DeliveryDate:DateTime:GPU "
        "DeliveryStatus:Int16:G Description:String:GPU Discount:Double:GPU Division:Int32:G "
        "InvoiceStatus:Int16:G Item:Guid:GPU ItemCode:String:G ItemDescription:String:G "
        "ItemVersion:Guid:GPU ItemVersionDescription:String:G LineNumber:Int32:G "
        "Margin:Double:GPU NetPrice:Double:GPU Notes:String:GPU OrderID:Guid:GPU "
        "OrderNumber:Int32:GPU OrderStatus:Int16:G Pricelist:Guid:GPU "
        "PricelistDescription:String:G Project:Guid:GPU ProjectDescription:String:G "
        "PurchaseOrder:Guid:G PurchaseOrderLine:Guid:G PurchaseOrderLineNumber:Int32:G "
        "PurchaseOrderNumber:Int32:G Quantity:Double:GPU QuantityDelivered:Double:G "
        "QuantityInvoiced:Double:G ShopOrder:Guid:GPU TaxSchedule:Guid:GPU "
        "TaxScheduleCode:String:G TaxScheduleDescription:String:G UnitCode:String:GPU "
        "UnitDescription:String:G UnitPrice:Double:GPU UseDropShipment:Byte:GPU "
        "VATAmount:Double:GPU VATCode:String:GPU VATCodeDescription:String:G "
        "VATPercentage:Double:GPU CustomField:?:-",
    ),
    "salesorder/GoodsDeliveries": (
        "EntryID",
        "EntryID:Guid:GPU Created:DateTime:G Creator:Guid:G CreatorFullName:String:G "
        "DeliveryAccount:Guid:G DeliveryAccountCode:String:G DeliveryAccountName:String:G "
        "DeliveryAddress:Guid:G DeliveryContact:Guid:G DeliveryContactPersonFullName:String:G "
        "DeliveryDate:DateTime:GP DeliveryNumber:Int32:G Description:String:GP Division:Int32:G "
        "Document:Guid:GPU DocumentSubject:String:G EntryNumber:Int32:G "
        "GoodsDeliveryLines:GoodsDeliveryLines:GPU Modified:DateTime:G Modifier:Guid:G "
        "ModifierFullName:String:G Remarks:String:GPU ShippingMethod:Guid:GP "
        "ShippingMethodCode:String:G ShippingMethodDescription:String:G TrackingNumber:String:GPU "
        "Warehouse:Guid:G WarehouseCode:String:G WarehouseDescription:String:G",
    ),
    "salesorder/GoodsDeliveryLines": (
        "ID",
        "ID:Guid:GPUD BatchNumbers:StockBatchNumbers:GPU Created:DateTime:G Creator:Guid:G "
        "CreatorFullName:String:G CustomerItemCode:String:G DeliveryDate:DateTime:G "
        "Description:String:GP Division:Int32:G EntryID:Guid:GP Item:Guid:G ItemCode:String:G "
        "ItemDescription:String:G LineNumber:Int32:G Modified:DateTime:G Modifier:Guid:G "
        "ModifierFullName:String:G Notes:String:GPU QuantityDelivered:Double:GP "
        "QuantityOrdered:Double:G SalesOrderLineID:Guid:GP SalesOrderLineNumber:Int32:G "
        "SalesOrderNumber:Int32:G SerialNumbers:StockSerialNumbers:GPU StorageLocation:Guid:GP "
        "StorageLocationCode:String:GP StorageLocationDescription:String:GP "
        "TrackingNumber:String:GPU Unitcode:String:G",
    ),
    "salesinvoice/SalesInvoices": (
        "InvoiceID",
        "InvoiceID:Guid:GPU AmountDC:Double:G AmountDiscount:Double:GPU "
        "AmountDiscountExclVat:Double:GPU AmountFC:Double:G AmountFCExclVat:Double:G "
        "Created:DateTime:G Creator:Guid:G CreatorFullName:String:G Currency:String:GPU "
        "DeliverTo:Guid:GP DeliverToAddress:Guid:GPU DeliverToContactPerson:Guid:GPU "
        "DeliverToContactPersonFullName:String:G DeliverToName:String:G Description:String:GPU "
        "Discount:Double:GPU DiscountType:Int16:G Division:Int32:G Document:Guid:GPU "
        "DocumentNumber:Int32:G DocumentSubject:String:G DueDate:DateTime:GPU "
        "ExtraDutyAmountFC:Double:GPU GAccountAmountFC:Double:GPU IncotermAddress:String:GPU "
        "IncotermCode:String:GPU IncotermVersion:Int16:GPU InvoiceDate:DateTime:G "
        "InvoiceNumber:Int32:G InvoiceTo:Guid:GP InvoiceToContactPerson:Guid:GPU "
        "InvoiceToContactPersonFullName:String:G InvoiceToName:String:G IsExtraDuty:Boolean:GPU "
        "Journal:String:GP JournalDescription:String:G Modified:DateTime:G Modifier:Guid:G "
        "ModifierFullName:String:G OrderDate:DateTime:GPU OrderedBy:Guid:GP "
        "OrderedByContactPerson:Guid:GPU OrderedByContactPersonFullName:String:G "
        "OrderedByName:String:G OrderNumber:Int32:GPU PaymentCondition:String:GPU "
        "PaymentConditionDescription:String:G PaymentReference:String:GPU Remarks:String:GPU "
        "SalesChannel:Guid:GPU SalesChannelCode:String:G SalesChannelDescription:String:G "
        "SalesInvoiceLines:SalesInvoiceLines:GPU Salesperson:Guid:GPU "
        "SalespersonFullName:String:G SelectionCode:Guid:GPU SelectionCodeCode:String:G "
        "SelectionCodeDescription:String:G StarterSalesInvoiceStatus:Int16:G "
        "StarterSalesInvoiceStatusDescription:String:G Status:Int16:G StatusDescription:String:G "
        "TaxSchedule:Guid:GPU TaxScheduleCode:String:G TaxScheduleDescription:String:G "
        "Type:Int32:GPU TypeDescription:String:G VATAmountDC:Double:G VATAmountFC:Double:G "
        "Warehouse:Guid:GPU WithholdingTaxAmountFC:Double:GPU WithholdingTaxBaseAmount:Double:GPU "
        "WithholdingTaxPercentage:Double:GPU YourRef:String:GPU SalesInvoiceOrderChargeLines:?:- "
        "ShippingMethod:Guid:- ShippingMethodCode:String:- ShippingMethodDescription:String:-",
    ),
    "salesinvoice/SalesInvoiceLines": (
        "ID",
        "ID:Guid:GPUD AmountDC:Double:G AmountFC:Double:GPU CostCenter:String:GPU "
        "CostCenterDescription:String:G CostUnit:String:GPU CostUnitDescription:String:G "
        "CustomerItemCode:String:G DeliveryDate:DateTime:GPU Description:String:GPU "
        "Discount:Double:GPU Division:Int32:G Employee:Guid:GPU EmployeeFullName:String:G "
        "EndTime:DateTime:GPU ExtraDutyAmountFC:Double:GPU ExtraDutyPercentage:Double:GPU "
        "GLAccount:Guid:GP GLAccountDescription:String:G InvoiceID:Guid:GP Item:Guid:GPU "
        "ItemCode:String:G ItemDescription:String:G LineNumber:Int32:G NetPrice:Double:GPU "
        "Notes:String:GPU Pricelist:Guid:GPU PricelistDescription:String:G Project:Guid:GPU "
        "ProjectDescription:String:G ProjectWBS:Guid:GPU ProjectWBSDescription:String:G "
        "Quantity:Double:GPU SalesOrder:Guid:G SalesOrderLine:Guid:G SalesOrderLineNumber:Int32:G "
        "SalesOrderNumber:Int32:G StartTime:DateTime:GPU Subscription:Guid:G "
        "SubscriptionDescription:String:G TaxSchedule:Guid:GPU TaxScheduleCode:String:G "
        "TaxScheduleDescription:String:G UnitCode:String:GPU UnitDescription:String:G "
        "UnitPrice:Double:GPU VATAmountDC:Double:GPU VATAmountFC:Double:GPU VATCode:String:GPU "
        "VATCodeDescription:String:G VATPercentage:Double:GPU CustomField:?:-",
    ),
    "salesentry/SalesEntries": (
        "EntryID",
        "EntryID:Guid:GPU AmountDC:Double:G AmountFC:Double:G BatchNumber:Int32:GPU "
        "Created:DateTime:G Creator:Guid:G CreatorFullName:String:G Currency:String:GPU "
        "Customer:Guid:GPU CustomerName:String:G Description:String:GPU Division:Int32:G "
        "Document:Guid:GPU DocumentNumber:Int32:G DocumentSubject:String:G DueDate:DateTime:GPU "
        "EntryDate:DateTime:GPU EntryNumber:Int32:GPU ExternalLinkDescription:String:G "
        "ExternalLinkReference:String:GPU GAccountAmountFC:Double:GPU InvoiceNumber:Int32:GPU "
        "IsExtraDuty:Boolean:GPU Journal:String:GPU JournalDescription:String:G "
        "Modified:DateTime:G Modifier:Guid:G ModifierFullName:String:G OrderNumber:Int32:GPU "
        "PaymentCondition:String:GPU PaymentConditionDescription:String:G "
        "PaymentReference:String:GPU ProcessNumber:Int32:GPU Rate:Double:GPU "
        "ReportingPeriod:Int16:GPU ReportingYear:Int16:GPU Reversal:Boolean:GPU "
        "SalesEntryLines:SalesEntryLines:GPU Status:Int16:G StatusDescription:String:G "
        "Type:Int32:G TypeDescription:String:G VATAmountDC:Double:G VATAmountFC:Double:GPU "
        "WithholdingTaxAmountDC:Double:GPU WithholdingTaxBaseAmount:Double:GPU "
        "WithholdingTaxPercentage:Double:GPU YourRef:String:GPU CustomField:?:- "
        "PaymentConditionPaymentMethod:?:-",
    ),
    "salesentry/SalesEntryLines": (
        "ID",
        "ID:Guid:GPUD AmountDC:Double:G AmountFC:Double:GPU Asset:Guid:GPU "
        "AssetDescription:String:G CostCenter:String:GPU CostCenterDescription:String:G "
        "CostUnit:String:GPU CostUnitDescription:String:G Description:String:GPU Division:Int32:G "
        "EntryID:Guid:GPU ExtraDutyAmountFC:Double:GPU ExtraDutyPercentage:Double:GPU "
        "From:DateTime:GPU GLAccount:Guid:GPU GLAccountCode:String:G "
        "GLAccountDescription:String:G IntraStatArea:String:GPU IntraStatCountry:String:GPU "
        "IntraStatDeliveryTerm:String:GPU IntraStatTransactionA:String:GPU "
        "IntraStatTransactionB:String:GPU IntraStatTransportMethod:String:GPU LineNumber:Int32:G "
        "Notes:String:GPU Project:Guid:GPU ProjectDescription:String:G Quantity:Double:GPU "
        "SerialNumber:String:GPU StatisticalNetWeight:Double:GPU StatisticalNumber:String:GPU "
        "StatisticalQuantity:Double:GPU StatisticalValue:Double:GPU Subscription:Guid:GPU "
        "SubscriptionDescription:String:G TaxSchedule:Guid:GPU To:DateTime:GPU "
        "TrackingNumber:Guid:GPU TrackingNumberDescription:String:G Type:Int32:G "
        "VATAmountDC:Double:G VATAmountFC:Double:GPU VATBaseAmountDC:Double:GPU "
        "VATBaseAmountFC:Double:GPU VATCode:String:GPU VATCodeDescription:String:G "
        "VATPercentage:Double:GPU CustomField:?:-",
    ),
    "vat/VATCodes": (
        "ID",
        "ID:Guid:GPUD Account:Guid:GPU AccountCode:String:G AccountName:String:G "
        "CalculationBasis:Byte:GPU Charged:Boolean:GPU Code:String:GPU Country:String:G "
        "Created:DateTime:G Creator:Guid:G CreatorFullName:String:G Description:String:GPU "
        "Division:Int32:G EUSalesListing:String:GPU ExcludeVATListing:Byte:GPU "
        "GLDiscountPurchase:Guid:GPU GLDiscountPurchaseCode:String:G "
        "GLDiscountPurchaseDescription:String:G GLDiscountSales:Guid:GPU "
        "GLDiscountSalesCode:String:G GLDiscountSalesDescription:String:G GLToClaim:Guid:GPU "
        "GLToClaimCode:String:G GLToClaimDescription:String:G GLToPay:Guid:GPU "
        "GLToPayCode:String:G GLToPayDescription:String:G IntraStat:Boolean:GPU "
        "IntrastatType:String:GPU IsBlocked:Boolean:GPU LegalText:String:GPU Modified:DateTime:G "
        "Modifier:Guid:G ModifierFullName:String:G OssCountry:String:GPU Percentage:Double:G "
        "TaxReturnType:Int16:GPU Type:String:GPU VatDocType:String:GPU VatMargin:Byte:GPU "
        "VATPartialRatio:Int16:GPU VATPercentages:VATPercentages:GPU "
        "VATTransactionType:String:GPU CustomField:?:-",
    ),
    "cashflow/PaymentConditions": (
        "ID",
        "ID:Guid:GPUD Code:String:GPU Created:DateTime:G Creator:Guid:G CreatorFullName:String:G "
        "CreditManagementScenario:Guid:GPU CreditManagementScenarioCode:String:G "
        "CreditManagementScenarioDescription:String:G Description:String:GPU "
        "DiscountCalculation:String:GPU DiscountPaymentDays:Int32:GPU "
        "DiscountPercentage:Double:GPU Division:Int32:G Modified:DateTime:G Modifier:Guid:G "
        "ModifierFullName:String:G PaymentDays:Int32:GPU PaymentDiscountType:String:GPU "
        "PaymentEndOfMonths:Int32:GPU PaymentMethod:String:GPU Percentage:Double:GPU "
        "VATCalculation:String:GPU",
    ),
    "sales/ShippingMethods": (
        "ID",
        "ID:Guid:GPUD Active:Boolean:GPU Code:String:GPU Created:DateTime:G Creator:Guid:G "
        "CreatorFullName:String:G Description:String:GPU Division:Int32:G Modified:DateTime:G "
        "Modifier:Guid:G ModifierFullName:String:G Notes:String:GPU ShippingRatesURL:String:GPU "
        "TrackingURL:String:GPU Amount:?:- VATCode:String:- VATCodeDescription:String:- "
        "VATPercentage:Double:-",
    ),
    "financial/Journals": (
        "ID",
        "ID:Guid:GPUD AllowVariableCurrency:Boolean:GPU AllowVariableExchangeRate:Boolean:GPU "
        "AllowVAT:Boolean:GPU AutoSave:Boolean:GPU Bank:Guid:GPU BankAccountBICCode:String:G "
        "BankAccountCountry:String:G BankAccountDescription:String:G BankAccountIBAN:String:G "
        "BankAccountID:Guid:GPU BankAccountIncludingMask:String:GPU BankAccountUseSEPA:Boolean:G "
        "BankAccountUseSepaDirectDebit:Boolean:G BankName:String:G Code:String:GPU "
        "Created:DateTime:G Creator:Guid:G CreatorFullName:String:G Currency:String:GPU "
        "CurrencyDescription:String:G Description:String:GPU Division:Int32:G GLAccount:Guid:GPU "
        "GLAccountCode:String:G GLAccountDescription:String:G GLAccountType:Int32:G "
        "IsBlocked:Boolean:GPU Modified:DateTime:G Modifier:Guid:G ModifierFullName:String:G "
        "PaymentInTransitAccount:Guid:GPU PaymentServiceAccountIdentifier:String:GPU "
        "PaymentServiceProvider:Int32:GPU PaymentServiceProviderName:String:G Type:Int32:GPU "
        "CustomField:?:-",
    ),
    "webhooks/WebhookSubscriptions": (
        "ID",
        "ID:Guid:GPUD CallbackURL:String:GPU ClientID:Guid:G Created:DateTime:G Creator:Guid:G "
        "CreatorFullName:String:G Description:String:G Division:Int32:G Topic:String:GPU "
        "IsInstant:?:- UserID:Guid:-",
    ),
    "current/Me": (
        "UserID",
        "UserID:Guid:GPU AccountingDivision:Int32:GPU CurrentDivision:Int32:GPU "
        "CustomerCode:String:GPU DivisionCustomer:Guid:GPU DivisionCustomerCode:String:GPU "
        "DivisionCustomerName:String:GPU DivisionCustomerSiretNumber:String:GPU "
        "DivisionCustomerVatNumber:String:GPU DossierDivision:Int32:GPU Email:String:GPU "
        "EmployeeID:Guid:GPU FirstName:String:GPU FullName:String:GPU Gender:String:GPU "
        "Initials:String:GPU IsClientUser:Boolean:GPU IsMyFirmPortalUser:Boolean:GPU "
        "Language:String:GPU LanguageCode:String:GPU LastName:String:GPU Legislation:Int64:GPU "
        "MiddleName:String:GPU Mobile:String:GPU Nationality:String:GPU Phone:String:GPU "
        "PhoneExtension:String:GPU PictureUrl:String:GPU ServerTime:String:GPU "
        "ServerUtcOffset:Double:GPU ThumbnailPicture:Binary:GPU ThumbnailPictureFormat:String:GPU "
        "Title:String:GPU UserName:String:GPU IsEmployeeSelfServiceUser:?:- IsMyFirmLiteUser:?:- "
        "IsOEIMigrationMandatory:?:- IsStarterUser:?:- PackageCode:?:-",
    ),
    "system/Divisions": (
        "Code",
        "Code:Int32:GPU AddressLine1:String:GPU AddressLine2:String:GPU AddressLine3:String:GPU "
        "ArchiveDate:DateTime:GPU BlockingStatus:Int32:GPU BusinessTypeCode:String:GPU "
        "BusinessTypeDescription:String:GPU ChamberOfCommerceEstablishment:String:GPU "
        "ChamberOfCommerceNumber:String:GPU City:String:GPU Class_01:Complex:GPU "
        "Class_02:Complex:GPU Class_03:Complex:GPU Class_04:Complex:GPU Class_05:Complex:GPU "
        "CompanySizeCode:String:GPU CompanySizeDescription:String:GPU Country:String:GPU "
        "Created:DateTime:G Creator:Guid:G CreatorFullName:String:G Currency:String:GPU "
        "Current:Boolean:GPU Customer:Guid:GPU CustomerCode:String:GPU CustomerName:String:GPU "
        "DatevAccountantNumber:String:GPU DatevClientNumber:String:GPU Description:String:GPU "
        "DivisionMoveDate:DateTime:GPU Email:String:GPU Fax:String:GPU Hid:Int64:GPU "
        "IsDossierDivision:Boolean:GPU IsMainDivision:Boolean:GPU IsPracticeDivision:Boolean:GPU "
        "Legislation:String:G Modified:DateTime:G Modifier:Guid:G ModifierFullName:String:G "
        "OBNumber:String:GPU Phone:String:GPU Postcode:String:GPU SbiCode:String:GPU "
        "SbiDescription:String:GPU SectorCode:String:GPU SectorDescription:String:GPU "
        "ShareCapital:Double:GPU SiretNumber:String:GPU StartDate:DateTime:GPU State:String:GPU "
        "Status:Int32:GPU SubsectorCode:String:GPU SubsectorDescription:String:GPU "
        "TaxOfficeNumber:String:GPU TaxReferenceNumber:String:GPU TemplateCode:String:GPU "
        "VATNumber:String:GPU Website:String:GPU DivisionHRLinkUnlinkDate:?:- IsHRDivision:?:-",
    ),
    "sync/CRM/Accounts": (
        "Timestamp",
        "Timestamp:Int64:GPU Accountant:Guid:GPU AccountManager:Guid:GPU "
        "AccountManagerFullName:String:G AccountManagerHID:Int32:G ActivitySector:Guid:GPU "
        "ActivitySubSector:Guid:GPU AddressLine1:String:GPU AddressLine2:String:GPU "
        "AddressLine3:String:GPU BankAccounts:BankAccounts:G Blocked:Boolean:GPU BRIN:Guid:G "
        "BSN:String:GPU BusinessType:Guid:GPU CanDropShip:Boolean:GPU "
        "ChamberOfCommerce:String:GPU City:String:GPU Classification:String:G "
        "Classification1:Guid:GPU Classification2:Guid:GPU Classification3:Guid:GPU "
        "Classification4:Guid:GPU Classification5:Guid:GPU Classification6:Guid:GPU "
        "Classification7:Guid:GPU Classification8:Guid:GPU ClassificationDescription:String:G "
        "Code:String:GPU CodeAtSupplier:String:GPU CompanySize:Guid:GPU "
        "ConsolidationScenario:Byte:GPU ControlledDate:DateTime:GPU Costcenter:String:G "
        "CostcenterDescription:String:G CostPaid:Byte:G Country:String:GPU CountryName:String:G "
        "Created:DateTime:G Creator:Guid:G CreatorFullName:String:G CreditLinePurchase:Double:GPU "
        "CreditLineSales:Double:GPU Currency:String:G CustomerSince:DateTime:G "
        "DatevCreditorCode:String:GPU DatevDebtorCode:String:GPU DeliveryAdvice:Byte:GPU "
        "DiscountPurchase:Double:GPU DiscountSales:Double:GPU Division:Int32:G Document:Guid:G "
        "DunsNumber:String:G Email:String:GPU EndDate:DateTime:GPU EstablishedDate:DateTime:GPU "
        "Fax:String:GPU GLAccountPurchase:Guid:GPU GLAccountSales:Guid:GPU GLAP:Guid:GPU "
        "GLAR:Guid:GPU GlnNumber:String:GPU HasWithholdingTaxSales:Boolean:GPU ID:Guid:GPUD "
        "IgnoreDatevWarningMessage:Boolean:GPU IncotermAddressPurchase:String:GPU "
        "IncotermAddressSales:String:GPU IncotermCodePurchase:String:GPU "
        "IncotermCodeSales:String:GPU IncotermVersionPurchase:Int16:GPU "
        "IncotermVersionSales:Int16:GPU IntraStatArea:String:GPU IntraStatDeliveryTerm:String:GPU "
        "IntraStatSystem:String:GPU IntraStatTransactionA:String:GPU "
        "IntraStatTransactionB:String:GPU IntraStatTransportMethod:String:GPU "
        "InvoiceAccount:Guid:GPU InvoiceAccountCode:String:G InvoiceAccountName:String:G "
        "InvoiceAttachmentType:Int32:GPU InvoicingMethod:Int32:GPU IsAccountant:Byte:GPU "
        "IsAgency:Byte:GPU IsAnonymised:Byte:G IsBank:Boolean:G IsCompetitor:Byte:GPU "
        "IsExtraDuty:Boolean:GPU IsMailing:Byte:GPU IsMember:Boolean:G IsPilot:Boolean:GPU "
        "IsPurchase:Boolean:G IsReseller:Boolean:GPU IsSales:Boolean:G IsSupplier:Boolean:GPU "
        "Language:String:GPU LanguageDescription:String:G Latitude:Double:GPU "
        "LeadPurpose:Guid:GPU LeadSource:Guid:GPU Logo:Binary:GPU LogoFileName:String:GPU "
        "LogoThumbnailUrl:String:G LogoUrl:String:G Longitude:Double:GPU MainContact:Guid:GPU "
        "Modified:DateTime:G Modifier:Guid:G ModifierFullName:String:G Name:String:GPU "
        "OINNumber:String:GPU Parent:Guid:GPU PayAsYouEarn:String:GPU "
        "PaymentConditionPurchase:String:GPU PaymentConditionPurchaseDescription:String:G "
        "PaymentConditionSales:String:GPU PaymentConditionSalesDescription:String:G "
        "Phone:String:GPU PhoneExtension:String:GPU Postcode:String:GPU PriceList:Guid:GPU "
        "PurchaseCurrency:String:GPU PurchaseCurrencyDescription:String:G "
        "PurchaseLeadDays:Int32:GPU PurchaseVATCode:String:GPU "
        "PurchaseVATCodeDescription:String:G RecepientOfCommissions:Boolean:GPU "
        "Remarks:String:GPU Reseller:Guid:GPU ResellerCode:String:G ResellerName:String:G "
        "RSIN:String:GPU SalesCurrency:String:GPU SalesCurrencyDescription:String:G "
        "SalesTaxSchedule:Guid:GPU SalesTaxScheduleCode:String:G "
        "SalesTaxScheduleDescription:String:G SalesVATCode:String:GPU "
        "SalesVATCodeDescription:String:G SearchCode:String:GPU SecurityLevel:Int32:GPU "
        "SeparateInvPerProject:Byte:GPU SeparateInvPerSubscription:Byte:GPU "
        "ShippingLeadDays:Int32:GPU ShippingMethod:Guid:GPU ShowRemarkForSales:Boolean:GPU "
        "StartDate:DateTime:GPU State:String:GPU StateName:String:G Status:String:GPU "
        "StatusSince:DateTime:G TradeName:String:GPU Type:String:G "
        "UniqueTaxpayerReference:String:GPU VATLiability:String:GPU VATNumber:String:GPU "
        "Website:String:GPU AutomaticProcessProposedEntry:?:- CustomField:?:- "
        "EnableSalesPaymentLink:?:- EORINumber:?:- PeppolIdentifier:?:- PeppolIdentifierType:?:-",
    ),
    "sync/CRM/Contacts": (
        "Timestamp",
        "Timestamp:Int64:GPU Account:Guid:GP AccountIsCustomer:Boolean:G "
        "AccountIsSupplier:Boolean:G AccountMainContact:Guid:G AccountName:String:G "
        "AddressLine2:String:G AddressStreet:String:G AddressStreetNumber:String:G "
        "AddressStreetNumberSuffix:String:G AllowMailing:Int32:G BirthDate:DateTime:GPU "
        "BirthName:String:GPU BirthNamePrefix:String:GPU BirthPlace:String:GPU "
        "BusinessEmail:String:GPU BusinessFax:String:GPU BusinessMobile:String:GPU "
        "BusinessPhone:String:GPU BusinessPhoneExtension:String:GPU City:String:G Code:String:G "
        "Country:String:G Created:DateTime:G Creator:Guid:G CreatorFullName:String:G "
        "Division:Int32:G Email:String:GPU EndDate:DateTime:GPU FirstName:String:GPU "
        "FullName:String:G Gender:String:GPU HID:Int32:GPU ID:Guid:GPUD "
        "IdentificationDate:DateTime:GPU IdentificationDocument:Guid:GPU "
        "IdentificationUser:Guid:GPU Initials:String:GPU IsAnonymised:Byte:G "
        "IsMailingExcluded:Boolean:GPU IsMainContact:Boolean:G JobTitleDescription:String:GPU "
        "Language:String:GPU LastName:String:GPU LeadPurpose:Guid:GPU LeadSource:Guid:GPU "
        "MarketingNotes:String:GPU MiddleName:String:GPU Mobile:String:GPU Modified:DateTime:G "
        "Modifier:Guid:G ModifierFullName:String:G Nationality:String:GPU Notes:String:GPU "
        "PartnerName:String:G PartnerNamePrefix:String:G Person:Guid:GPU Phone:String:GPU "
        "PhoneExtension:String:G Picture:Binary:GPU PictureName:String:GPU "
        "PictureThumbnailUrl:String:G PictureUrl:String:G Postcode:String:G "
        "SocialSecurityNumber:String:GPU StartDate:DateTime:GPU State:String:G Title:String:GPU "
        "CustomField:?:- TitleAbbreviation:?:- TitleDescription:?:-",
    ),
    "sync/CRM/Addresses": (
        "Timestamp",
        "Timestamp:Int64:GPU Account:Guid:GPU AccountIsSupplier:Boolean:G AccountName:String:G "
        "AddressLine1:String:GPU AddressLine2:String:GPU AddressLine3:String:GPU City:String:GPU "
        "Contact:Guid:GPU ContactName:String:G Country:String:GPU CountryName:String:G "
        "Created:DateTime:G Creator:Guid:G CreatorFullName:String:G Division:Int32:G "
        "Fax:String:GPU FreeBoolField_01:Boolean:GPU FreeBoolField_02:Boolean:GPU "
        "FreeBoolField_03:Boolean:GPU FreeBoolField_04:Boolean:GPU FreeBoolField_05:Boolean:GPU "
        "FreeDateField_01:DateTime:GPU FreeDateField_02:DateTime:GPU "
        "FreeDateField_03:DateTime:GPU FreeDateField_04:DateTime:GPU "
        "FreeDateField_05:DateTime:GPU FreeNumberField_01:Double:GPU "
        "FreeNumberField_02:Double:GPU FreeNumberField_03:Double:GPU "
        "FreeNumberField_04:Double:GPU FreeNumberField_05:Double:GPU FreeTextField_01:String:GPU "
        "FreeTextField_02:String:GPU FreeTextField_03:String:GPU FreeTextField_04:String:GPU "
        "FreeTextField_05:String:GPU ID:Guid:GPUD Mailbox:String:GPU Main:Boolean:GPU "
        "Modified:DateTime:G Modifier:Guid:G ModifierFullName:String:G NicNumber:String:GPU "
        "Notes:String:GPU Phone:String:GPU PhoneExtension:String:GPU Postcode:String:GPU "
        "State:String:GPU StateDescription:String:G Type:Int16:GPU Warehouse:Guid:GPU "
        "WarehouseCode:String:G WarehouseDescription:String:G CustomField:?:-",
    ),
    "sync/Logistics/Items": (
        "Timestamp",
        "Timestamp:Int64:GPU AverageCost:Double:GP Barcode:String:GPU Class_01:String:GPU "
        "Class_02:String:GPU Class_03:String:GPU Class_04:String:GPU Class_05:String:GPU "
        "Class_06:String:GPU Class_07:String:GPU Class_08:String:GPU Class_09:String:GPU "
        "Class_10:String:GPU Code:String:GPU CopyRemarks:Byte:GPU CostPriceCurrency:String:GPU "
        "CostPriceNew:Double:GPU CostPriceStandard:Double:GP Created:DateTime:G Creator:Guid:G "
        "CreatorFullName:String:G Description:String:GPU Division:Int32:G EndDate:DateTime:GPU "
        "ExtraDescription:String:GPU FreeBoolField_01:Boolean:GPU FreeBoolField_02:Boolean:GPU "
        "FreeBoolField_03:Boolean:GPU FreeBoolField_04:Boolean:GPU FreeBoolField_05:Boolean:GPU "
        "FreeDateField_01:DateTime:GPU FreeDateField_02:DateTime:GPU "
        "FreeDateField_03:DateTime:GPU FreeDateField_04:DateTime:GPU "
        "FreeDateField_05:DateTime:GPU FreeNumberField_01:Double:GPU "
        "FreeNumberField_02:Double:GPU FreeNumberField_03:Double:GPU "
        "FreeNumberField_04:Double:GPU FreeNumberField_05:Double:GPU "
        "FreeNumberField_06:Double:GPU FreeNumberField_07:Double:GPU "
        "FreeNumberField_08:Double:GPU FreeTextField_01:String:GPU FreeTextField_02:String:GPU "
        "FreeTextField_03:String:GPU FreeTextField_04:String:GPU FreeTextField_05:String:GPU "
        "FreeTextField_06:String:GPU FreeTextField_07:String:GPU FreeTextField_08:String:GPU "
        "FreeTextField_09:String:GPU FreeTextField_10:String:GPU GLCosts:Guid:GPU "
        "GLCostsCode:String:G GLCostsDescription:String:G GLRevenue:Guid:GPU "
        "GLRevenueCode:String:G GLRevenueDescription:String:G GLStock:Guid:GPU "
        "GLStockCode:String:G GLStockDescription:String:G GrossWeight:Double:GPU ID:Guid:GPUD "
        "IsBatchItem:Byte:GPU IsFractionAllowedItem:Boolean:GPU IsMakeItem:Byte:GPU "
        "IsNewContract:Byte:GPU IsOnDemandItem:Byte:GPU IsPackageItem:Boolean:GPU "
        "IsPurchaseItem:Boolean:GPU IsRegistrationCodeItem:Byte:GPU IsSalesItem:Boolean:GPU "
        "IsSerialItem:Boolean:GPU IsStockItem:Boolean:GPU IsSubcontractedItem:Boolean:GPU "
        "IsTaxableItem:Byte:GPU IsTime:Byte:GPU IsWebshopItem:Byte:GPU ItemGroup:Guid:GPU "
        "ItemGroupCode:String:G ItemGroupDescription:String:G Modified:DateTime:G Modifier:Guid:G "
        "ModifierFullName:String:G NetWeight:Double:GPU NetWeightUnit:String:GPU Notes:String:GPU "
        "PictureName:String:G PictureThumbnailUrl:String:G PictureUrl:String:G "
        "SalesVatCode:String:GPU SalesVatCodeDescription:String:G SearchCode:String:GPU "
        "SecurityLevel:Int32:GPU StartDate:DateTime:GPU StatisticalCode:String:G "
        "StatisticalNetWeight:Double:G StatisticalUnits:Double:G StatisticalValue:Double:G "
        "Stock:Double:G Unit:String:GPU UnitDescription:String:G UnitType:String:G "
        "CustomField:?:- Picture:Binary:-",
    ),
    "sync/Logistics/SalesItemPrices": (
        "Timestamp",
        "Timestamp:Int64:GPU Account:Guid:GPU AccountName:String:G Created:DateTime:G "
        "Creator:Guid:G CreatorFullName:String:G Currency:String:GPU DefaultItemUnit:String:G "
        "DefaultItemUnitDescription:String:G Division:Int32:G EndDate:DateTime:GPU ID:Guid:GPUD "
        "Item:Guid:GPU ItemCode:String:G ItemDescription:String:G Modified:DateTime:G "
        "Modifier:Guid:G ModifierFullName:String:G NumberOfItemsPerUnit:Double:GPU "
        "Price:Double:GPU Quantity:Double:GPU StartDate:DateTime:GPU Unit:String:GPU "
        "UnitDescription:String:G Barcode:String:- Employee:Guid:- Project:Guid:- "
        "ProjectDescription:String:-",
    ),
    "sync/Inventory/ItemWarehouses": (
        "Timestamp",
        "Timestamp:Int64:GPU Created:DateTime:G Creator:Guid:G CreatorFullName:String:G "
        "DefaultStorageLocation:Guid:GPU DefaultStorageLocationCode:String:G "
        "DefaultStorageLocationDescription:String:G Division:Int32:G ID:Guid:GPUD Item:Guid:GP "
        "ItemCode:String:G ItemDescription:String:G MaximumStock:Double:GPU Modified:DateTime:G "
        "Modifier:Guid:G ModifierFullName:String:G OrderPolicy:Int16:GPU Period:Int16:GPU "
        "ReorderPoint:Double:GPU ReorderQuantity:Double:GPU ReplenishmentType:Int16:GPU "
        "ReservedStock:Double:G SafetyStock:Double:GPU Warehouse:Guid:GP WarehouseCode:String:G "
        "WarehouseDescription:String:G CountingCycle:Int16:- StorageLocationSequenceNumber:?:-",
    ),
    "sync/Inventory/StockPositions": (
        "Timestamp",
        "Timestamp:Int64:GPU CurrentStock:Double:GPU Division:Int32:G FreeStock:Double:GPU "
        "ID:Guid:GPUD ItemCode:String:GPU ItemDescription:String:GPU ItemId:Guid:GPU "
        "PlanningIn:Double:GPU PlanningOut:Double:GPU ProjectedStock:Double:GPU "
        "ReorderPoint:Double:GPU ReservedStock:Double:GPU UnitCode:String:GPU "
        "UnitDescription:String:GPU Warehouse:Guid:GPU WarehouseCode:String:GPU "
        "WarehouseDescription:String:GPU",
    ),
    "sync/SalesOrder/SalesOrderHeaders": (
        "Timestamp",
        "Timestamp:Int64:- AmountDC:Double:- AmountDiscount:Double:- "
        "AmountDiscountExclVat:Double:- AmountFC:Double:- AmountFCExclVat:Double:- "
        "ApprovalStatus:Int16:- ApprovalStatusDescription:String:- Approved:DateTime:- "
        "Approver:Guid:- ApproverFullName:String:- Created:DateTime:- Creator:Guid:- "
        "CreatorFullName:String:- Currency:String:- CustomField:?:- DeliverTo:Guid:- "
        "DeliverToContactPerson:Guid:- DeliverToContactPersonFullName:String:- "
        "DeliverToName:String:- DeliveryAddress:Guid:- DeliveryDate:DateTime:- "
        "DeliveryStatus:Int16:- DeliveryStatusDescription:String:- Description:String:- "
        "Discount:Double:- Division:Int32:- Document:Guid:- DocumentNumber:Int32:- "
        "DocumentSubject:String:- ID:Guid:- IncotermAddress:String:- IncotermCode:String:- "
        "IncotermVersion:Int16:- InvoiceStatus:Int16:- InvoiceStatusDescription:String:- "
        "InvoiceTo:Guid:- InvoiceToContactPerson:Guid:- InvoiceToContactPersonFullName:String:- "
        "InvoiceToName:String:- Modified:DateTime:- Modifier:Guid:- ModifierFullName:String:- "
        "Notes:String:- OrderDate:DateTime:- OrderedBy:Guid:- OrderedByContactPerson:Guid:- "
        "OrderedByContactPersonFullName:String:- OrderedByName:String:- OrderID:Guid:- "
        "OrderNumber:Int32:- PaymentCondition:String:- PaymentConditionDescription:String:- "
        "PaymentReference:String:- Project:Guid:- ProjectCode:String:- "
        "ProjectDescription:String:- Remarks:String:- SalesChannel:Guid:- "
        "SalesChannelCode:String:- SalesChannelDescription:String:- Salesperson:Guid:- "
        "SalespersonFullName:String:- SelectionCode:Guid:- SelectionCodeCode:String:- "
        "SelectionCodeDescription:String:- ShippingMethod:Guid:- ShippingMethodCode:String:- "
        "ShippingMethodDescription:String:- Status:String:- StatusDescription:String:- "
        "VATAmount:Double:- VATCode:String:- VATCodeDescription:String:- WarehouseCode:String:- "
        "WarehouseDescription:String:- WarehouseID:Guid:- YourRef:String:-",
    ),
    "sync/SalesOrder/SalesOrders": (
        "Timestamp",
        "Timestamp:Int64:GPU AmountDC:Double:G AmountDiscount:Double:GPU "
        "AmountDiscountExclVat:Double:GPU AmountFC:Double:GPU AmountFCExclVat:Double:G "
        "ApprovalStatus:Int16:G ApprovalStatusDescription:String:G Approved:DateTime:G "
        "Approver:Guid:G ApproverFullName:String:G CostCenter:String:GPU "
        "CostCenterDescription:String:G CostPriceFC:Double:G CostUnit:String:GPU "
        "CostUnitDescription:String:G Created:DateTime:G Creator:Guid:G CreatorFullName:String:G "
        "Currency:String:GPU CustomerItemCode:String:G DeliverTo:Guid:GP "
        "DeliverToContactPerson:Guid:GPU DeliverToContactPersonFullName:String:G "
        "DeliverToName:String:G DeliveryAddress:Guid:GPU DeliveryDate:DateTime:GPU "
        "DeliveryStatus:Int16:G DeliveryStatusDescription:String:G Description:String:GPU "
        "Discount:Double:GPU Division:Int32:G Document:Guid:GPU DocumentNumber:Int32:G "
        "DocumentSubject:String:G ID:Guid:GPUD IncotermAddress:String:GPU IncotermCode:String:G "
        "IncotermVersion:Int16:GPU InvoiceStatus:Int16:G InvoiceStatusDescription:String:G "
        "InvoiceTo:Guid:GP InvoiceToContactPerson:Guid:GPU "
        "InvoiceToContactPersonFullName:String:G InvoiceToName:String:G Item:Guid:GPU "
        "ItemCode:String:G ItemDescription:String:G ItemVersion:Guid:GPU "
        "ItemVersionDescription:String:G LineNumber:Int32:G Margin:Double:GPU Modified:DateTime:G "
        "Modifier:Guid:G ModifierFullName:String:G NetPrice:Double:GPU Notes:String:GPU "
        "OrderDate:DateTime:GPU OrderedBy:Guid:GP OrderedByContactPerson:Guid:GPU "
        "OrderedByContactPersonFullName:String:G OrderedByName:String:G OrderID:Guid:GPU "
        "OrderNumber:Int32:GPU PaymentCondition:String:GPU PaymentConditionDescription:String:G "
        "PaymentReference:String:GPU Pricelist:Guid:GPU PricelistDescription:String:G "
        "Project:Guid:GPU ProjectCode:String:G ProjectDescription:String:G PurchaseOrder:Guid:G "
        "PurchaseOrderLine:Guid:G PurchaseOrderLineNumber:Int32:G PurchaseOrderNumber:Int32:G "
        "Quantity:Double:GPU QuantityDelivered:Double:G QuantityInvoiced:Double:G "
        "Remarks:String:GPU SalesChannel:Guid:GPU SalesChannelCode:String:G "
        "SalesChannelDescription:String:G Salesperson:Guid:GPU SalespersonFullName:String:G "
        "SelectionCode:Guid:GPU SelectionCodeCode:String:G SelectionCodeDescription:String:G "
        "ShippingMethod:Guid:GPU ShippingMethodCode:String:G ShippingMethodDescription:String:G "
        "ShopOrder:Guid:GPU ShopOrderNumber:Int32:G Status:Int16:G StatusDescription:String:G "
        "TaxSchedule:Guid:GPU TaxScheduleCode:String:G TaxScheduleDescription:String:G "
        "UnitCode:String:GPU UnitDescription:String:G UnitPrice:Double:GPU "
        "UseDropShipment:Byte:GPU VATAmount:Double:GPU VATCode:String:GPU "
        "VATCodeDescription:String:G VATPercentage:Double:GPU WarehouseCode:String:G "
        "WarehouseDescription:String:G WarehouseID:Guid:GPU YourRef:String:GPU",
    ),
    "sync/SalesOrder/SalesOrderLines": (
        "Timestamp",
        "Timestamp:Int64:- AmountDC:Double:- AmountFC:Double:- CostCenter:String:- "
        "CostCenterDescription:String:- CostPriceFC:Double:- CostUnit:String:- "
        "CostUnitDescription:String:- Created:DateTime:- Creator:Guid:- CreatorFullName:String:- "
        "CustomerItemCode:String:- CustomField:?:- DeliveryDate:DateTime:- DeliveryStatus:Int16:- "
        "DeliveryStatusDescription:String:- Description:String:- Discount:Double:- "
        "Division:Int32:- ID:Guid:- InvoiceStatus:Int16:- InvoiceStatusDescription:String:- "
        "Item:Guid:- ItemCode:String:- ItemDescription:String:- ItemVersion:Guid:- "
        "ItemVersionDescription:String:- LineNumber:Int32:- Margin:Double:- Modified:DateTime:- "
        "Modifier:Guid:- ModifierFullName:String:- NetPrice:Double:- Notes:String:- "
        "OrderID:Guid:- OrderNumber:Int32:- Pricelist:Guid:- PricelistDescription:String:- "
        "Project:Guid:- ProjectCode:String:- ProjectDescription:String:- PurchaseOrder:Guid:- "
        "PurchaseOrderLine:Guid:- PurchaseOrderLineNumber:Int32:- PurchaseOrderNumber:Int32:- "
        "Quantity:Double:- QuantityDelivered:Double:- QuantityInvoiced:Double:- ShopOrder:Guid:- "
        "ShopOrderNumber:Int32:- Status:String:- StatusDescription:String:- UnitCode:String:- "
        "UnitDescription:String:- UnitPrice:Double:- UseDropShipment:Byte:- VATAmount:Double:- "
        "VATCode:String:- VATCodeDescription:String:- VATPercentage:Double:-",
    ),
    "sync/SalesOrder/GoodsDeliveries": (
        "Timestamp",
        "Timestamp:Int64:GPU Created:DateTime:G Creator:Guid:G CreatorFullName:String:G "
        "DeliveryAccount:Guid:G DeliveryAccountCode:String:G DeliveryAccountName:String:G "
        "DeliveryAddress:Guid:G DeliveryContact:Guid:G DeliveryContactPersonFullName:String:G "
        "DeliveryDate:DateTime:GP DeliveryNumber:Int32:G Description:String:GP Division:Int32:G "
        "Document:Guid:GPU DocumentSubject:String:G EntryID:Guid:GPU EntryNumber:Int32:G "
        "Modified:DateTime:G Modifier:Guid:G ModifierFullName:String:G Remarks:String:GPU "
        "ShippingMethod:Guid:GP ShippingMethodCode:String:G ShippingMethodDescription:String:G "
        "TrackingNumber:String:GPU Warehouse:Guid:G WarehouseCode:String:G "
        "WarehouseDescription:String:G",
    ),
    "sync/SalesOrder/GoodsDeliveryLines": (
        "Timestamp",
        "Timestamp:Int64:GPU BatchNumbers:StockBatchNumbers:GPU Created:DateTime:G Creator:Guid:G "
        "CreatorFullName:String:G CustomerItemCode:String:G DeliveryDate:DateTime:G "
        "Description:String:GP Division:Int32:G EntryID:Guid:GP ID:Guid:GPUD Item:Guid:G "
        "ItemCode:String:G ItemDescription:String:G LineNumber:Int32:G Modified:DateTime:G "
        "Modifier:Guid:G ModifierFullName:String:G Notes:String:GPU QuantityDelivered:Double:GP "
        "QuantityOrdered:Double:G SalesOrderLineID:Guid:GP SalesOrderLineNumber:Int32:G "
        "SalesOrderNumber:Int32:G SerialNumbers:StockSerialNumbers:GPU StorageLocation:Guid:GP "
        "StorageLocationCode:String:GP StorageLocationDescription:String:GP "
        "TrackingNumber:String:GPU Unitcode:String:G",
    ),
    "sync/SalesInvoice/SalesInvoices": (
        "Timestamp",
        "Timestamp:Int64:GPU AmountDC:Double:G AmountDiscount:Double:GPU "
        "AmountDiscountExclVat:Double:GPU AmountFC:Double:GPU AmountFCExclVat:Double:G "
        "CostCenter:String:GPU CostCenterDescription:String:G CostUnit:String:GPU "
        "CostUnitDescription:String:G Created:DateTime:G Creator:Guid:G CreatorFullName:String:G "
        "Currency:String:GPU CustomerItemCode:String:G DeliverTo:Guid:GPU "
        "DeliverToAddress:Guid:GPU DeliverToContactPerson:Guid:GPU "
        "DeliverToContactPersonFullName:String:G DeliverToName:String:G DeliveryDate:DateTime:GPU "
        "Description:String:GPU Discount:Double:GPU DiscountType:Int16:G Division:Int32:G "
        "Document:Guid:GPU DocumentNumber:Int32:G DocumentSubject:String:G DueDate:DateTime:GPU "
        "Employee:Guid:GPU EmployeeFullName:String:G EndTime:DateTime:GPU "
        "ExtraDutyAmountFC:Double:GPU ExtraDutyPercentage:Double:GPU GAccountAmountFC:Double:GPU "
        "GLAccount:Guid:GP GLAccountDescription:String:G ID:Guid:GPUD IncotermAddress:String:GPU "
        "IncotermCode:String:G IncotermVersion:Int16:GPU InvoiceDate:DateTime:G InvoiceID:Guid:GP "
        "InvoiceNumber:Int32:G InvoiceTo:Guid:GPU InvoiceToContactPerson:Guid:GPU "
        "InvoiceToContactPersonFullName:String:G InvoiceToName:String:G IsExtraDuty:Boolean:GPU "
        "Item:Guid:GPU ItemCode:String:G ItemDescription:String:G Journal:String:GP "
        "JournalDescription:String:G LineNumber:Int32:G Modified:DateTime:G Modifier:Guid:G "
        "ModifierFullName:String:G NetPrice:Double:GPU Notes:String:GPU OrderDate:DateTime:GPU "
        "OrderedBy:Guid:GPU OrderedByContactPerson:Guid:GPU "
        "OrderedByContactPersonFullName:String:G OrderedByName:String:G OrderNumber:Int32:GPU "
        "PaymentCondition:String:GPU PaymentConditionDescription:String:G "
        "PaymentReference:String:GPU Pricelist:Guid:GPU PricelistDescription:String:G "
        "Project:Guid:GPU ProjectDescription:String:G ProjectWBS:Guid:GPU "
        "ProjectWBSDescription:String:G Quantity:Double:GPU Remarks:String:GPU "
        "SalesChannel:Guid:GPU SalesChannelCode:String:G SalesChannelDescription:String:G "
        "SalesOrder:Guid:G SalesOrderLine:Guid:G SalesOrderLineNumber:Int32:G "
        "SalesOrderNumber:Int32:G Salesperson:Guid:GPU SalespersonFullName:String:G "
        "StarterSalesInvoiceStatus:Int16:G StarterSalesInvoiceStatusDescription:String:G "
        "StartTime:DateTime:GPU Status:Int16:G StatusDescription:String:G Subscription:Guid:G "
        "SubscriptionDescription:String:G TaxSchedule:Guid:GPU TaxScheduleCode:String:G "
        "TaxScheduleDescription:String:G Type:Int32:GPU TypeDescription:String:G "
        "UnitCode:String:GPU UnitDescription:String:G UnitPrice:Double:GPU VATAmountDC:Double:GPU "
        "VATAmountFC:Double:GPU VATCode:String:GPU VATCodeDescription:String:G "
        "VATPercentage:Double:GPU Warehouse:Guid:GPU WithholdingTaxAmountFC:Double:GPU "
        "WithholdingTaxBaseAmount:Double:GPU WithholdingTaxPercentage:Double:GPU "
        "YourRef:String:GPU CustomField:?:-",
    ),
    "sync/Deleted": (
        "Timestamp",
        "Timestamp:Int64:GPU DeletedBy:Guid:GPU DeletedDate:DateTime:GPU Division:Int32:G "
        "EntityKey:Guid:GPU EntityType:Int32:GPU ID:Guid:GPUD",
    ),
    "read/sync/Sync/SyncTimestamp": (
        "Modified",
        "Modified:DateTime:- API:?:- TimeStampAsBigInt:?:-",
    ),
    "bulk/SalesOrder/SalesOrderLines": (
        "ID",
        "ID:Guid:GPUD AmountDC:Double:G AmountFC:Double:GPU CostCenter:String:GPU "
        "CostCenterDescription:String:G CostPriceFC:Double:G CostUnit:String:GPU "
        "CostUnitDescription:String:G CustomerItemCode:String:G DeliveryDate:DateTime:GPU "
        "Description:String:GPU Discount:Double:GPU Division:Int32:G Item:Guid:GPU "
        "ItemCode:String:G ItemDescription:String:G ItemVersion:Guid:GPU "
        "ItemVersionDescription:String:G LineNumber:Int32:G NetPrice:Double:GPU Notes:String:GPU "
        "OrderID:Guid:GPU OrderNumber:Int32:GPU Pricelist:Guid:GPU PricelistDescription:String:G "
        "Project:Guid:GPU ProjectDescription:String:G PurchaseOrder:Guid:G "
        "PurchaseOrderLine:Guid:G PurchaseOrderLineNumber:Int32:G PurchaseOrderNumber:Int32:G "
        "Quantity:Double:GPU ShopOrder:Guid:GPU UnitCode:String:GPU UnitDescription:String:G "
        "UnitPrice:Double:GPU UseDropShipment:Byte:GPU VATAmount:Double:GPU VATCode:String:GPU "
        "VATCodeDescription:String:G VATPercentage:Double:GPU",
    ),
}


def _parse(raw: str) -> dict[str, Field]:
    fields: dict[str, Field] = {}
    for token in raw.split():
        name, edm, verbs = token.split(":")
        fields[name] = Field(name, edm, verbs)
    return fields


#: endpoint (``crm/Accounts``) -> field name -> Field
FIELDS: dict[str, dict[str, Field]] = {path: _parse(raw) for path, (_, raw) in _RAW.items()}
#: endpoint -> primary key field named by the reference
PRIMARY_KEYS: dict[str, str] = {path: key for path, (key, _) in _RAW.items()}
